// `watchpost-collector api-key ...` as a user runs it (a subprocess over a real SQLite file): admin keys, and keys
// for one tenant with a role, named after the person or system that holds them; `list` shows each key's scope.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectorCli } from '../../helpers/collector-cli.js';

const dataDir = () => ({ WATCHPOST_DATA_DIR: mkdtempSync(join(tmpdir(), 'wp-cli-')) });
const idOf = (stdout: string) => stdout.slice(4, 20);

describe('api-key', () => {
  it('creates admin and tenant keys and lists their scopes', async () => {
    const env = dataDir();
    expect(await collectorCli(['tenant', 'add', 'acme', '--name', 'Acme Ltd'], env)).toMatchObject({ code: 0 });
    const admin = await collectorCli(['api-key', 'create', '--name', 'Ops team'], env);
    expect(admin.stdout).toMatch(/^wpk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}\n$/);
    expect(admin.stderr).toContain('admin');
    const read = await collectorCli(['api-key', 'create', '--name', 'Acme IT', '--tenant', 'acme', '--role', 'read'], env);
    expect(read).toMatchObject({ code: 0, stderr: expect.stringContaining('tenant:acme (read)') });
    const operate = await collectorCli(['api-key', 'create', '--name', 'Jane Doe', '--tenant', 'acme', '--role', 'operate'], env);
    expect(operate.code).toBe(0);

    const listed = (await collectorCli(['api-key', 'list'], env)).stdout;
    expect(listed).toMatch(/KEY\s+NAME\s+SCOPE\s+CREATED\s+STATE/);
    expect(listed).toMatch(new RegExp(`${idOf(admin.stdout)}\\s+Ops team\\s+admin\\s`));
    expect(listed).toMatch(new RegExp(`${idOf(read.stdout)}\\s+Acme IT\\s+tenant:acme \\(read\\)\\s`));
    expect(listed).toMatch(new RegExp(`${idOf(operate.stdout)}\\s+Jane Doe\\s+tenant:acme \\(operate\\)\\s`));
    const json = JSON.parse((await collectorCli(['api-key', 'list', '--json'], env)).stdout) as { name: string; tenant: string | null; role: string }[];
    expect(json.map((k) => [k.name, k.tenant, k.role])).toEqual([
      ['Ops team', null, 'admin'],
      ['Acme IT', 'acme', 'read'],
      ['Jane Doe', 'acme', 'operate'],
    ]);
  });

  it.each([
    [['--name', 'x', '--tenant', 'acme'], '--role is required with --tenant (read or operate)'],
    [['--name', 'x', '--role', 'read'], '--role needs --tenant'],
    [['--name', 'x', '--tenant', 'acme', '--role', 'admin'], '--role: expected read or operate'],
  ])('exits 2 naming the problem: %j', async (args, message) => {
    const result = await collectorCli(['api-key', 'create', ...args], dataDir());
    expect(result).toMatchObject({ code: 2, stderr: expect.stringContaining(message) });
  });

  it('exits 1 for an unknown tenant', async () => {
    const result = await collectorCli(['api-key', 'create', '--name', 'x', '--tenant', 'nobody', '--role', 'read'], dataDir());
    expect(result).toMatchObject({ code: 1, stderr: expect.stringContaining('unknown tenant: nobody') });
  });
});
