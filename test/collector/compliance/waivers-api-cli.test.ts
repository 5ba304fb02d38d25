// Waivers through the real collector (real HTTP on a loopback port, real SQLite, API keys as issued) and through
// `watchpost-collector compliance waive|waivers|unwaive` run as a child process on that collector's store.
import { describe, expect, it } from 'vitest';
import type { watchpost } from '../../../proto/index.js';
import { collectorCli } from '../../helpers/collector-cli.js';
import { ADMIN_KEY, useCollector } from '../../helpers/collector.js';

const H = 3_600_000;
const D = 24 * H;
const { collector } = useCollector();

function sample(measurement: string, time: number, fields: Record<string, string | number | boolean>): watchpost.v1.ISample {
  return {
    measurement,
    timeMs: time,
    fields: Object.entries(fields).map(([key, v]) => (typeof v === 'string' ? { key, str: v } : typeof v === 'boolean' ? { key, bool: v } : { key, int: v })),
  };
}

/** A server of `tenant` whose last backup is 30 hours old: backup fails (the limit is 26 h). */
function failingServer(tenant: string, hostname: string): string {
  const c = collector();
  if (!c.store.tenants.get(tenant)) c.store.tenants.add({ id: tenant, name: tenant });
  const { agentId } = c.enroll(tenant, hostname);
  const now = Date.now();
  c.compliance.observe({ id: agentId, tenant, hostname }, [
    sample('inventory', now - 60_000, { os_family: 'windows', os_name: 'Windows Server 2022 Standard', os_build: '20348', os_product_type: 'server' }),
    sample('backup', now - 60_000, { products: 1, detectable: true, last_success: Math.floor((now - 30 * H) / 1000) }),
  ]);
  return agentId;
}

async function api(method: string, path: string, key: string | null, body?: unknown) {
  const headers: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(collector().baseUrl + path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { rows?: Row[]; waivers?: Record<string, unknown>[] } };
}
type Row = { host: string; standard: string; verdict: string; waiver: unknown };
const backupRow = (rows: Row[] | undefined, host: string) => rows!.find((r) => r.host === host && r.standard === 'backup');

describe('compliance waivers over the API', () => {
  it('creates a waiver as the key holder, shows it beside the verdict at once, and revokes it', async () => {
    failingServer('acme', 'api-sql01');
    const jane = collector().store.apiKeys.create({ name: 'Jane Doe (Acme IT)', tenant: 'acme', role: 'operate' }).key;
    const created = await api('POST', '/api/v1/compliance/waivers', jane, {
      tenant: 'acme',
      host: 'API-SQL01',
      standard: 'backup',
      reason: 'client NAS job, contract annex 3',
      expires: '90d',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      tenant: 'acme',
      host: 'api-sql01',
      standard: 'backup',
      createdBy: 'Jane Doe (Acme IT)',
      revokedAt: null,
      active: true,
    });
    const id = created.body.id as number;
    const expiresAt = created.body.expiresAt as string;
    // 90 days from the request (the store stamps createdAt a moment later).
    expect(Math.abs(Date.parse(expiresAt) - Date.parse(created.body.createdAt as string) - 90 * D)).toBeLessThan(1000);

    const table = await api('GET', '/api/v1/compliance?tenant=acme', jane);
    expect(backupRow(table.body.rows, 'api-sql01')).toMatchObject({
      verdict: 'fail',
      waiver: { id, reason: 'client NAS job, contract annex 3', by: 'Jane Doe (Acme IT)', expiresAt },
    });
    const active = await api('GET', '/api/v1/compliance/waivers?tenant=acme&active=true', jane);
    expect(active.body.waivers!.map((w) => w.id)).toContain(id);

    const revoked = await api('DELETE', `/api/v1/compliance/waivers/${id}`, jane);
    expect(revoked).toMatchObject({ status: 200, body: { id, revokedBy: 'Jane Doe (Acme IT)', active: false } });
    expect(backupRow((await api('GET', '/api/v1/compliance?tenant=acme', jane)).body.rows, 'api-sql01')).toMatchObject({ verdict: 'fail', waiver: null });
    expect((await api('GET', '/api/v1/compliance/waivers?tenant=acme&active=true', jane)).body.waivers!.map((w) => w.id)).not.toContain(id);
    expect((await api('GET', '/api/v1/compliance/waivers?tenant=acme', ADMIN_KEY)).body.waivers!.find((w) => w.id === id)).toMatchObject({
      revokedBy: 'Jane Doe (Acme IT)',
      active: false,
    });
  });

  it('lets a read key list but not write, and keeps tenant keys to their tenant', async () => {
    failingServer('globex', 'gx-sql01');
    const store = collector().store;
    const reader = store.apiKeys.create({ name: 'Acme auditor', tenant: 'acme', role: 'read' }).key;
    const globex = store.apiKeys.create({ name: 'Globex IT', tenant: 'globex', role: 'operate' }).key;
    const body = { tenant: 'acme', standard: 'backup', reason: 'tenant-wide', expires: '30d' };
    expect((await api('GET', '/api/v1/compliance/waivers', reader)).status).toBe(200);
    expect((await api('POST', '/api/v1/compliance/waivers', reader, body)).status).toBe(403);
    expect((await api('POST', '/api/v1/compliance/waivers', globex, body)).body).toMatchObject({ error: 'tenant_forbidden' });
    expect((await api('GET', '/api/v1/compliance/waivers?tenant=acme', globex)).status).toBe(403);
    expect((await api('POST', '/api/v1/compliance/waivers', null, body)).status).toBe(401);
    const own = await api('POST', '/api/v1/compliance/waivers', ADMIN_KEY, body);
    expect(own).toMatchObject({ status: 201, body: { createdBy: 'bootstrap', host: null, agentId: null } });
    // Another tenant's waiver is answered like an unknown one.
    expect((await api('DELETE', `/api/v1/compliance/waivers/${own.body.id as number}`, globex)).body).toMatchObject({ error: 'waiver_unknown' });
    expect((await api('DELETE', '/api/v1/compliance/waivers/999999', ADMIN_KEY)).status).toBe(404);
  });

  it.each<[string, Record<string, unknown>, number, RegExp]>([
    ['no expiry', { tenant: 'acme', standard: 'backup', reason: 'r' }, 400, /expires/],
    ['an empty reason', { tenant: 'acme', standard: 'backup', reason: '', expires: '1d' }, 400, /reason/],
    ['an expiry in words', { tenant: 'acme', standard: 'backup', reason: 'r', expires: 'soon' }, 400, /^expires: expected a date/],
    ['an expiry past two years', { tenant: 'acme', standard: 'backup', reason: 'r', expires: '800d' }, 400, /^expires: at most 2 years ahead/],
    ['an unknown standard', { tenant: 'acme', standard: 'backups', reason: 'r', expires: '1d' }, 400, /^standard: unknown standard "backups"/],
    ['an unknown host', { tenant: 'acme', host: 'nope', standard: 'backup', reason: 'r', expires: '1d' }, 400, /^host: no live agent named "nope"/],
    ['an unknown tenant', { tenant: 'nope', standard: 'backup', reason: 'r', expires: '1d' }, 404, /unknown tenant: nope/],
  ])('refuses %s, naming the field', async (_what, body, status, message) => {
    const res = await api('POST', '/api/v1/compliance/waivers', ADMIN_KEY, body);
    expect(res.status).toBe(status);
    expect(res.body.message).toMatch(message);
  });
});

describe('watchpost-collector compliance waive, waivers, unwaive', () => {
  it('waives from the CLI, shows it in the table after the serving collector ticks, and revokes it', async () => {
    failingServer('cli', 'cli-sql01');
    const env = { WATCHPOST_DATA_DIR: collector().dataDir };
    const until = new Date(Date.now() + 100 * D).toISOString().slice(0, 10);
    const waive = await collectorCli(
      [
        'compliance',
        'waive',
        '--tenant',
        'cli',
        '--host',
        'cli-sql01',
        '--standard',
        'backup',
        '--reason',
        'client NAS job',
        '--by',
        'Jane',
        '--expires',
        until,
      ],
      env,
    );
    expect(waive.code).toBe(0);
    const id = Number(waive.stdout.trim());
    expect(waive.stderr).toContain(`waiver ${id}: backup for host cli-sql01 of cli until `);

    const list = await collectorCli(['compliance', 'waivers', '--tenant', 'cli'], env);
    expect(list.stdout).toMatch(new RegExp(`^${id}\\s+cli-sql01\\s+backup\\s+\\S+\\s+Jane\\s+active\\s+client NAS job$`, 'm'));

    // The serving collector applies it at its next tick.
    collector().compliance.tick();
    const table = await collectorCli(['compliance', '--tenant', 'cli'], env);
    expect(table.stdout).toMatch(/^cli-sql01\s+backup\s+fail\s+\S+\s+last successful backup 30 hours ago.*waived until \S+ \(client NAS job\)$/m);
    expect(table.stdout).toMatch(/^cli: \d+ pass, 1 fail, \d+ unknown; 1 of them waived$/m);

    const unwaive = await collectorCli(['compliance', 'unwaive', '--id', String(id), '--by', 'Bob'], env);
    expect(unwaive).toMatchObject({ code: 0, stdout: `waiver ${id} revoked\n` });
    const all = await collectorCli(['compliance', 'waivers', '--tenant', 'cli', '--all', '--json'], env);
    expect(JSON.parse(all.stdout)).toEqual([expect.objectContaining({ id, revokedBy: 'Bob', state: expect.stringMatching(/^revoked .* by Bob$/) })]);
    collector().compliance.tick();
    expect((await collectorCli(['compliance', '--tenant', 'cli'], env)).stdout).not.toContain('waived until');
  });

  it.each([
    [['--standard', 'backup', '--reason', 'r', '--by', 'Jane'], '--expires is required'],
    [['--standard', 'backups', '--reason', 'r', '--by', 'Jane', '--expires', '30d'], '--standard: unknown standard "backups"'],
  ])('refuses %j with a usage error naming the flag', async (flags, message) => {
    const env = { WATCHPOST_DATA_DIR: collector().dataDir };
    const out = await collectorCli(['compliance', 'waive', '--tenant', 'acme', ...flags], env);
    expect(out).toMatchObject({ code: 2, stderr: expect.stringContaining(message) });
  });
});
