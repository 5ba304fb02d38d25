// The release pipeline across its owners: scripts/release-keygen.ts makes the key, scripts/release-sign.ts signs
// stand-in executables (a shell script that answers --version like the agent does) and WinSW into a release, and the
// collector loads it with releases.publicKey, verifies every signature, offers it, and serves the scripts that
// install it; install.sh then runs for real against it.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateReleaseKey } from '../../../scripts/release-keygen.js';
import { signRelease, WINSW_SOURCE } from '../../../scripts/release-sign.js';
import { TARGETS } from '../../../scripts/build/targets.js';
import { RecordingSink, startCollector, type TestCollector } from '../../helpers/collector.js';
import { sha256, tempDir } from './release-fixture.js';

const VERSION = '0.2.0';
const STAND_IN = `#!/bin/sh
# stand-in for watchpost-agent ${VERSION}: answers the smoke test, records any other call
if [ "$1" = --version ]; then echo "watchpost-agent ${VERSION}"; exit 0; fi
{ for arg in "$@"; do printf '%s\\n' "$arg"; done; } > "$WATCHPOST_TEST_RECORD"
`;

const work = tempDir('wp-sign-');
const from = join(work, 'bin');
const releases = join(work, 'releases');
let c: TestCollector;

/** sh reading the script on stdin, as `curl ... | sh` runs it; asynchronous, since the collector answering its
 *  downloads lives in this process. */
function sh(script: string, env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', [], { env, stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
    child.stdin.end(script);
  });
}

beforeAll(async () => {
  mkdirSync(from);
  for (const target of ['linux-x64', 'linux-arm64', 'darwin-arm64', 'win-x64'] as const) {
    writeFileSync(join(from, TARGETS[target].fileName), STAND_IN, { mode: 0o755 });
  }
  const key = generateReleaseKey(join(work, 'keys'));
  await signRelease({ keyFile: key.privateKeyPath, version: VERSION, from, out: releases, log: () => {} });
  c = await startCollector({ sink: new RecordingSink(), env: { WATCHPOST_RELEASES_DIR: releases, WATCHPOST_RELEASES_PUBLIC_KEY: key.publicKeyPath } });
});
afterAll(async () => c.close());

describe('a release made by scripts/release-sign.ts', () => {
  it('is loaded and verified by the collector, WinSW included', () => {
    const release = c.updates.releases().get(VERSION);
    expect(c.updates.releases().refused).toEqual([]);
    expect(release?.verified).toBe(true);
    expect([...release!.executables.keys()].sort()).toEqual(['darwin-arm64', 'linux-arm64', 'linux-x64', 'win-x64']);
    expect(release!.serviceHost).toMatchObject({ file: 'watchpost-agent-service.exe', sha256: sha256(readFileSync(WINSW_SOURCE)) });
  });

  it('is what windows.ps1 checks and what install.sh installs', async () => {
    const { token } = c.store.tokens.create({ tenant: 'acme', expiresAt: Date.now() + 60_000, uses: 1 });
    const headers = { authorization: `Bearer ${token}` };
    const ps = await (await fetch(`${c.baseUrl}/api/v1/deploy/windows.ps1`, { headers })).text();
    expect(ps).toContain(`$WatchpostServiceHostSha256 = '${sha256(readFileSync(WINSW_SOURCE))}'`);
    expect(ps).toContain(`$WatchpostAgentSha256 = '${sha256(STAND_IN)}'`);
    const winsw = await fetch(`${c.baseUrl}/api/v1/releases/${VERSION}/service-host`, { headers });
    expect(Buffer.from(await winsw.arrayBuffer()).equals(readFileSync(WINSW_SOURCE))).toBe(true);

    const script = await (await fetch(`${c.baseUrl}/api/v1/deploy/install.sh`, { headers })).text();
    const record = join(work, 'record.txt');
    const root = join(work, 'root');
    const result = await sh(script, { PATH: process.env.PATH!, WATCHPOST_INSTALL_ROOT: root, WATCHPOST_TEST_RECORD: record });
    expect(result).toMatchObject({ code: 0, stderr: expect.stringContaining('watchpost install: done') });
    expect(readFileSync(record, 'utf8')).toBe(['install', '--server', c.baseUrl, '--token', token, '--root', root, ''].join('\n'));
  });
});
