// Stand-ins for the update tests: an installed POSIX layout in a scratch directory, and "executables" that are
// small shell scripts answering --version as the agent does (the smoke test really runs them).
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A script that prints `watchpost-agent <version>` for --version (and `ran <args>` otherwise). */
export function executableScript(version: string, extra = ''): string {
  return `#!/bin/sh\n${extra}if [ "$1" = "--version" ]; then echo "watchpost-agent ${version}"; exit 0; fi\necho "ran $*"\n`;
}

export function writeExecutable(path: string, version: string): void {
  writeFileSync(path, executableScript(version), { mode: 0o755 });
}

/** <prefix>/versions/<version>/watchpost-agent and <prefix>/current -> versions/<version>, as the installer makes
 *  them; returns the executable's path (what process.execPath is for the installed agent). */
export function installPosix(prefix: string, version: string): string {
  const dir = join(prefix, 'versions', version);
  mkdirSync(dir, { recursive: true });
  writeExecutable(join(dir, 'watchpost-agent'), version);
  symlinkSync(`versions/${version}`, join(prefix, 'current'));
  return join(dir, 'watchpost-agent');
}
