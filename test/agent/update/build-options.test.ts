// The release build options (scripts/build-agent.ts --version X --release-key FILE.pub): parsed, checked before
// anything is built, and baked into the bundle as the globals agent/src/version.ts and update/release-key.ts read.
// The bundle is made by esbuild as the real build makes it and run with this machine's node; the single executable
// around it is the existing build test's business (test/build/agent-build.test.ts).
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAgent, DEFAULT_ENTRY, parseCli } from '../../../scripts/build-agent.js';
import { bundleAgent, releaseDefines } from '../../../scripts/build/bundle.js';

const execFileAsync = promisify(execFile);
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const PUBLIC_PEM = publicKey.export({ type: 'spki', format: 'pem' }).toString();

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'watchpost-build-options-'));
  writeFileSync(join(dir, 'release-key.pub'), PUBLIC_PEM);
  writeFileSync(join(dir, 'release-key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parseCli', () => {
  it('takes --version and --release-key', () => {
    expect(parseCli(['--target', 'linux-x64', '--version', '0.2.0', '--release-key', 'k.pub'])).toEqual({
      options: { targets: ['linux-x64'], version: '0.2.0', releaseKey: 'k.pub' },
    });
  });

  it.each([['0.2'], ['../0.2.0'], ['v0.2.0']])('refuses --version %s', (version) => {
    const result = parseCli(['--version', version]);
    expect('error' in result && result.error).toMatch(/^--version: .* is not a release version/);
  });
});

describe('releaseDefines', () => {
  it('defines only what is given, as JSON string expressions', () => {
    expect(releaseDefines({})).toEqual({});
    expect(releaseDefines({ version: '0.2.0', releaseKeyPem: 'PEM\n' })).toEqual({ __WATCHPOST_VERSION__: '"0.2.0"', __WATCHPOST_RELEASE_KEY__: '"PEM\\n"' });
  });
});

describe('buildAgent checks the release inputs before building anything', () => {
  it.each<[string, { releaseKey?: string; version?: string }, RegExp]>([
    ['a private key as --release-key', { releaseKey: 'release-key.pem' }, /--release-key .*release-key\.pem: this is a private key/],
    ['a missing key file', { releaseKey: 'nope.pub' }, /ENOENT/],
    ['a bad version', { version: '1' }, /not a release version/],
  ])('%s', async (_name, options, error) => {
    const resolved = { ...options, ...(options.releaseKey ? { releaseKey: join(dir, options.releaseKey) } : {}) };
    await expect(buildAgent({ targets: ['linux-x64'], outDir: join(dir, 'out'), cacheDir: join(dir, 'cache'), log: () => {}, ...resolved })).rejects.toThrow(
      error,
    );
    expect(existsSync(join(dir, 'out'))).toBe(false); // refused before anything was written
  });
});

describe('the bundle', () => {
  it('reports the version given, and the source version without one', async () => {
    await bundleAgent(DEFAULT_ENTRY, join(dir, 'released.cjs'), REPO_ROOT, { version: '0.2.0', releaseKeyPem: PUBLIC_PEM });
    expect((await execFileAsync(process.execPath, [join(dir, 'released.cjs'), '--version'])).stdout).toBe('watchpost-agent 0.2.0\n');
    await bundleAgent(DEFAULT_ENTRY, join(dir, 'plain.cjs'), REPO_ROOT);
    expect((await execFileAsync(process.execPath, [join(dir, 'plain.cjs'), '--version'])).stdout).toBe('watchpost-agent 0.1.0\n');
  });

  it('embeds the release key the updater uses; without one, updates are refused', async () => {
    const entry = join(dir, 'key-entry.ts');
    writeFileSync(
      entry,
      `import { releaseKey } from ${JSON.stringify(join(REPO_ROOT, 'agent/src/update/release-key.ts'))};\nconst k = releaseKey();\nconsole.log(k.key ? k.key.export({ type: 'spki', format: 'pem' }) : k.reason);\n`,
    );
    await bundleAgent(entry, join(dir, 'key.cjs'), REPO_ROOT, { releaseKeyPem: PUBLIC_PEM });
    expect((await execFileAsync(process.execPath, [join(dir, 'key.cjs')])).stdout).toBe(PUBLIC_PEM + '\n');
    await bundleAgent(entry, join(dir, 'no-key.cjs'), REPO_ROOT);
    expect((await execFileAsync(process.execPath, [join(dir, 'no-key.cjs')])).stdout).toBe('this build has no release key\n');
  });
});
