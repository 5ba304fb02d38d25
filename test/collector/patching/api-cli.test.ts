// Patch management through the real collector (real HTTP on a loopback port, real SQLite, API keys as issued, the
// agents' patches points through the collector's patch ingest) and `watchpost-collector patches list|approve|decline` run as
// a child process on that collector's store with the same rules file.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRules } from '../../../collector/src/alerting/rules/rules-file.js';
import { createPatchGauge } from '../../../collector/src/patching/gauge.js';
import { createPatchIngest } from '../../../collector/src/patching/ingest.js';
import { collectorCli } from '../../helpers/collector-cli.js';
import { ADMIN_KEY, RecordingSink, startCollector, type TestCollector } from '../../helpers/collector.js';
import { D, patchesRun } from './helpers.js';

const RULES = `
tenants:
  acme:
    terms:
      calendar: 24x7
      patches:
        rings: { pilot: { deferral: 0d }, broad: { deferral: 7d } }
        exclude: ["linux-image-*"]
        window: { cron: "0 0 2 * * 6", duration: 4h }
    hosts:
      "pilot-*": { patch_ring: pilot }
`;

let c: TestCollector;
let dir: string;
let rulesFile: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wp-patches-api-'));
  rulesFile = join(dir, 'rules.yaml');
  writeFileSync(rulesFile, RULES);
  const rules = loadRules(rulesFile);
  c = await startCollector({ sink: new RecordingSink(), rules: () => rules });
});
afterAll(async () => {
  await c.close();
  rmSync(dir, { recursive: true, force: true });
});

async function api(method: string, path: string, key: string, body?: unknown) {
  const headers: Record<string, string> = { authorization: `Bearer ${key}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(c.baseUrl + path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown> & { updates?: Record<string, unknown>[]; rings?: Record<string, unknown>[] },
  };
}

/** Two hosts of acme, one in the pilot ring (by its host entry), one in the last ring. */
function twoHosts() {
  const pilot = c.enroll('acme', 'pilot-web1');
  const broad = c.enroll('acme', 'web2');
  return { pilot, broad, seen: Date.now() - 2 * D };
}

describe('patches over the API', () => {
  it('lists each update per host with its ring and state, decides as the key holder, and counts per ring', async () => {
    const { pilot, broad, seen } = twoHosts();
    const ingest = createPatchIngest({ store: c.store, rules: () => loadRules(rulesFile) });
    const updates = [
      { package: 'openssl', version: '3.0.13-1~deb12u1', security: true },
      { package: 'tzdata', version: '2024a-0+deb12u1' },
      { package: 'linux-image-amd64', version: '6.1.85-1', security: true },
    ];
    ingest({ id: pilot.agentId, tenant: 'acme', hostname: pilot.hostname }, patchesRun(seen, 'apt', updates));
    ingest({ id: broad.agentId, tenant: 'acme', hostname: broad.hostname }, patchesRun(seen, 'apt', updates));

    const list = await api('GET', '/api/v1/patches?tenant=acme', ADMIN_KEY);
    expect(list.status).toBe(200);
    const row = (host: string, key: string) => list.body.updates!.find((u) => u.host === host && u.key === key);
    expect(row('pilot-web1', 'pkg:openssl')).toMatchObject({ ring: 'pilot', state: 'approved', classes: ['security'], install_id: 'openssl', decision: null });
    expect(row('web2', 'pkg:openssl')).toMatchObject({ ring: 'broad', state: 'pending', auto_after: new Date(seen + 1 + 7 * D).toISOString() });
    expect(row('web2', 'pkg:tzdata')).toMatchObject({ state: 'pending', needs_approval: true, classes: [] });
    expect(row('pilot-web1', 'pkg:linux-image-amd64')).toMatchObject({ state: 'declined', excluded_by: 'linux-image-*' });

    const jane = c.store.apiKeys.create({ name: 'Jane Doe (Acme IT)', tenant: 'acme', role: 'operate' }).key;
    const approved = await api('POST', '/api/v1/patches/approvals', jane, {
      tenant: 'acme',
      update: 'pkg:tzdata',
      decision: 'approve',
      ring: 'broad',
      reason: 'DST change',
    });
    expect(approved).toMatchObject({ status: 201, body: { updateKey: 'pkg:tzdata', ring: 'broad', decision: 'approve', createdBy: 'Jane Doe (Acme IT)' } });
    const declined = await api('POST', '/api/v1/patches/approvals', jane, {
      tenant: 'acme',
      update: 'pkg:openssl',
      decision: 'decline',
      reason: 'LOB app breaks',
    });
    expect(declined.status).toBe(201);
    expect((await api('POST', '/api/v1/patches/approvals', jane, { tenant: 'acme', update: 'openssl', decision: 'approve', reason: 'x' })).status).toBe(400);
    expect(
      (await api('POST', '/api/v1/patches/approvals', jane, { tenant: 'acme', update: 'pkg:x', decision: 'approve', ring: 'canary', reason: 'x' })).body,
    ).toMatchObject({
      error: 'invalid_argument',
      message: 'ring: unknown ring "canary" (rings: pilot, broad)',
    });
    const reader = c.store.apiKeys.create({ name: 'viewer', tenant: 'acme', role: 'read' }).key;
    expect((await api('POST', '/api/v1/patches/approvals', reader, { tenant: 'acme', update: 'pkg:x', decision: 'approve', reason: 'x' })).status).toBe(403);

    const after = await api('GET', '/api/v1/patches?tenant=acme&host=web2&state=approved', jane);
    expect(after.body.updates!.map((u) => u.key)).toEqual(['pkg:tzdata']);
    expect(after.body.updates![0]).toMatchObject({ decision: { decision: 'approve', by: 'Jane Doe (Acme IT)', reason: 'DST change', ring: 'broad' } });
    const declinedRows = await api('GET', '/api/v1/patches?tenant=acme&state=declined', jane);
    expect(declinedRows.body.updates!.filter((u) => u.key === 'pkg:openssl').map((u) => u.host)).toEqual(['pilot-web1', 'web2']);

    const summary = await api('GET', '/api/v1/patches/summary?tenant=acme', jane);
    expect(summary.body.rings).toEqual([
      { ring: 'pilot', approved: 0, installed: 0, failed: 0, pending: 1, declined: 2, deferral_ms: 0 },
      { ring: 'broad', approved: 1, installed: 0, failed: 0, pending: 0, declined: 2, deferral_ms: 7 * D },
    ]);
    expect(summary.body.window).toMatchObject({ cron: '0 0 2 * * 6', timezone: 'UTC', duration_ms: 4 * 3_600_000 });

    // The gauge writes the same counts per ring.
    const write = createPatchGauge({ store: c.store, rules: () => loadRules(rulesFile), host: 'collector1' });
    expect(write(Date.now())).toBe(2);
    const lines = c.store.influxOutbox
      .peek(10_000)
      .map((r) => r.line)
      .filter((l) => l.startsWith('patch_status,'));
    expect(lines.find((l) => l.includes('ring=broad'))).toMatch(
      /^patch_status,host=collector1,ring=broad,tenant=acme approved=1i,installed=0i,failed=0i,pending=0i,declined=2i /,
    );
  });

  it('answers 403 to another tenant key and 404 for an unknown tenant', async () => {
    c.store.tenants.add({ id: 'globex', name: 'Globex' });
    const other = c.store.apiKeys.create({ name: 'globex it', tenant: 'globex', role: 'operate' }).key;
    expect((await api('GET', '/api/v1/patches?tenant=acme', other)).status).toBe(403);
    expect((await api('GET', '/api/v1/patches?tenant=nope', ADMIN_KEY)).status).toBe(404);
    expect((await api('GET', '/api/v1/patches/summary?tenant=globex', other)).body).toMatchObject({ managed: false, rings: [] });
  });
});

describe('watchpost-collector patches', () => {
  it('approves and declines from the CLI and lists the result', async () => {
    const env = { WATCHPOST_DATA_DIR: c.dataDir, WATCHPOST_RULES_FILE: rulesFile };
    const approve = await collectorCli(
      ['patches', 'approve', '--tenant', 'acme', '--update', 'pkg:tzdata', '--ring', 'pilot', '--by', 'Jane', '--reason', 'DST'],
      env,
    );
    expect(approve).toMatchObject({ code: 0 });
    expect(approve.stderr).toContain('pkg:tzdata: approved for ring pilot of acme by Jane');
    const bad = await collectorCli(['patches', 'decline', '--tenant', 'acme', '--update', 'pkg:x', '--ring', 'canary', '--by', 'Jane', '--reason', 'no'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--ring: unknown ring "canary" (rings: pilot, broad)');
    const list = await collectorCli(['patches', 'list', '--tenant', 'acme', '--host', 'pilot-web1', '--state', 'approved'], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/pilot-web1\s+pkg:tzdata\s+pilot\s+approved\s+approved by Jane/);
    const json = await collectorCli(['patches', 'list', '--tenant', 'acme', '--json'], env);
    expect((JSON.parse(json.stdout) as { key: string }[]).length).toBeGreaterThan(0);
  });
});
