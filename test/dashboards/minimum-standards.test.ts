// The minimum-standards dashboard's verdict panels over the points the real compliance engine writes: a real SQLite
// store, the engine fed Windows hosts' points on a clock a few hours back (a server whose backup verdict passes,
// fails on the tick as the backup ages past 26 hours, and passes again on a new backup: flipped twice; a
// workstation whose antivirus is off, under a waiver), and a host of another tenant whose verdicts were made ten
// days ago and are written again by restate(). The outbox goes to a real influxd through the collector's shipper
// and writer; each panel's query then runs with Grafana's substitutions. What the panels show must be what the
// engine keeps in SQLite: the counts per tenant, every host's latest verdict with its reason and since, the
// failing list.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { watchpost } from '../../proto/index.js';
import { minimumStandards } from '../../dashboards/src/minimum-standards.js';
import { parseRules } from '../../collector/src/alerting/rules/rules-file.js';
import { createComplianceEngine, type ComplianceEngine } from '../../collector/src/compliance/engine.js';
import { openStore, type ComplianceState, type Store } from '../../collector/src/store/index.js';
import { forScope, panelQuery, startCollectorInflux, type CollectorInflux, type Row } from './collector-points.js';

const MIN = 60_000;
const H = 60 * MIN;
const D = 24 * H;
/** The engine's times: a few hours before the test runs, so the dashboard's "last 2 days" window holds them. */
const T = Date.now() - 3 * H;
const OLD = T - 10 * D;

type Value = string | number | boolean;
function sample(measurement: string, time: number, fields: Record<string, Value>, tags: Record<string, string> = {}): watchpost.v1.ISample {
  return {
    measurement,
    timeMs: time,
    tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
    fields: Object.entries(fields).map(([key, v]) =>
      typeof v === 'string' ? { key, str: v } : typeof v === 'boolean' ? { key, bool: v } : Number.isInteger(v) ? { key, int: v } : { key, float: v },
    ),
  };
}
const inventory = (t: number, productType: 'server' | 'workstation') =>
  sample('inventory', t, {
    os_family: 'windows',
    os_name: productType === 'server' ? 'Windows Server 2022 Standard' : 'Windows 11 Pro',
    os_build: productType === 'server' ? '20348' : '22631',
    os_product_type: productType,
  });
const backup = (t: number, lastSuccess: number) => sample('backup', t, { products: 1, detectable: true, last_success: Math.floor(lastSuccess / 1000) });
const antivirus = (t: number, state: string) =>
  sample('antivirus', t, { state, enabled: state === 'on', up_to_date: true, signature_age_days: 0.5 }, { product: 'Windows Defender' });

let dir: string;
let store: Store;
let engine: ComplianceEngine;
let influx: CollectorInflux;
let clock = OLD;
const agents: Record<string, { id: string; tenant: string; hostname: string }> = {};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wp-standards-dash-'));
  store = openStore(join(dir, 'watchpost.db'), { now: () => clock });
  for (const tenant of ['acme', 'globex']) store.tenants.add({ id: tenant, name: tenant });
  const enroll = (tenant: string, hostname: string) => {
    const { agentId } = store.agents.enroll({ tenant, hostname, os: 'win32', arch: 'x64', agentVersion: '1' });
    agents[hostname] = { id: agentId, tenant, hostname };
  };
  enroll('acme', 'sql01');
  enroll('acme', 'ws01');
  enroll('globex', 'old01');
  const rules = parseRules('', 'rules.yaml');
  engine = createComplianceEngine({
    store,
    rules: () => rules,
    now: () => clock,
    onError: (_id, e) => {
      throw e;
    },
  });
  influx = await startCollectorInflux();

  // Ten days ago: old01's verdicts, on an inventory alone, which time does not change.
  engine.observe(agents.old01!, [inventory(OLD, 'workstation')]);
  // T: the acme hosts. sql01's last backup is 25 hours old (the server limit is 26 hours): pass.
  clock = T;
  engine.observe(agents.sql01!, [inventory(T, 'server'), backup(T, T - 25 * H)]);
  engine.observe(agents.ws01!, [inventory(T, 'workstation'), antivirus(T, 'off')]);
  // 90 minutes on, no new backup: 26.5 hours, the tick fails it. 30 minutes later a new backup passes it again.
  clock = T + 90 * MIN;
  engine.tick();
  clock = T + 2 * H;
  engine.observe(agents.sql01!, [backup(T + 2 * H, T + 2 * H - MIN)]);
  // A technician waives ws01's antivirus failure; the tick marks it.
  clock = T + 150 * MIN;
  store.waivers.create({
    tenant: 'acme',
    agentId: agents.ws01!.id,
    standard: 'antivirus',
    reason: 'replaced next week',
    createdBy: 'tech',
    expiresAt: T + 30 * D,
  });
  engine.tick();
  await influx.ship(store);
}, 120_000);

afterAll(async () => {
  await influx?.stop();
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const dashboard = minimumStandards();
const ALL = { variables: { tenant: [], host: [] } };
const run = (title: string, refId = 'A') => influx.rows(forScope(panelQuery(dashboard, title, refId), ALL));
const states = (): ComplianceState[] => [...store.compliance.states('acme'), ...store.compliance.states('globex')];
const key = (host: unknown, standard: unknown) => `${String(host)}/${String(standard)}`;
const seconds = (ms: number) => Math.floor(ms / 1000) * 1000;

/** The verdict table as host/standard -> what it shows. */
async function verdictTable(): Promise<Map<string, { verdict: unknown; reason: unknown; since: unknown; waived: unknown }>> {
  const rows = await run('Verdict per host and standard (current)');
  return new Map(rows.map((r) => [key(r.host, r.standard), { verdict: r.verdict, reason: r.reason, since: r.since, waived: r.waived ?? false }]));
}
const expectedTable = (of: readonly ComplianceState[]) =>
  new Map(of.map((s) => [key(s.host, s.standard), { verdict: s.verdict, reason: s.reason, since: seconds(s.since), waived: s.waiver !== null }]));

describe('minimum-standards dashboard over the engine’s points', () => {
  it('the data has the flips: sql01 backup was written pass, fail, pass', async () => {
    const rows = await influx.rows(`SELECT "reason", "verdict" FROM "compliance" WHERE "host" = 'sql01' AND "standard" = 'backup'`);
    expect(rows.map((r) => r.verdict)).toEqual(['pass', 'fail', 'pass']);
    // Which is why no panel groups by the verdict tag: a grouped subquery takes one last point per verdict.
    const naive = await influx.rows(
      `SELECT count("reason") FROM (SELECT last("reason") AS "reason" FROM "compliance" WHERE "tenant" = 'acme' GROUP BY "host", "standard") GROUP BY "verdict"`,
    );
    const store = states().filter((s) => s.tenant === 'acme').length;
    expect(naive.reduce((n, r) => n + Number(r.count), 0)).toBe(store + 1);
  });

  it('the verdict table shows each host and standard once, with the latest verdict, reason and since', async () => {
    const acme = states().filter((s) => s.tenant === 'acme');
    const shown = await verdictTable();
    expect(shown.get('sql01/backup')).toMatchObject({ verdict: 'pass', since: seconds(T + 2 * H), waived: false });
    expect(shown.get('ws01/antivirus')).toMatchObject({ verdict: 'fail', waived: true });
    expect(new Map([...shown].filter(([k]) => !k.startsWith('old01/')))).toEqual(expectedTable(acme));
  });

  it('the counts per tenant are the engine’s: pass, fail, unknown, waived, hosts failing', async () => {
    const count = (tenant: string, pick: (s: ComplianceState) => boolean) => states().filter((s) => s.tenant === tenant && pick(s)).length;
    const byTenant = new Map<string, Row>();
    for (const refId of ['A', 'B', 'C', 'D']) {
      for (const r of await run('Verdicts per tenant (host × standard)', refId)) byTenant.set(String(r.tenant), { ...byTenant.get(String(r.tenant)), ...r });
    }
    const acme = byTenant.get('acme')!;
    const fails = states().filter((s) => s.tenant === 'acme' && s.verdict === 'fail');
    expect(fails.length).toBeGreaterThan(0);
    expect({ pass: acme.pass, fail: acme.fail, unknown: acme.unknown, waived: acme.waived, hosts: acme['hosts failing'], verdicts: acme.verdicts }).toEqual({
      pass: count('acme', (s) => s.verdict === 'pass'),
      fail: fails.length,
      unknown: count('acme', (s) => s.verdict === 'unknown'),
      waived: 1,
      hosts: new Set(fails.map((s) => s.host)).size,
      verdicts: count('acme', () => true),
    });
  });

  it('the failing list is every failing verdict, with its waiver', async () => {
    const rows = await run('Failing now (longest first)');
    const want = states()
      .filter((s) => s.verdict === 'fail')
      .map((s) => ({ key: key(s.host, s.standard), reason: s.reason, since: seconds(s.since), waived: s.waiver !== null }));
    const got = rows.map((r) => ({ key: key(r.host, r.standard), reason: r.reason, since: r.since, waived: r.waived ?? false }));
    expect(got.sort((a, b) => a.key.localeCompare(b.key))).toEqual(want.sort((a, b) => a.key.localeCompare(b.key)));
    expect(got.map((r) => r.key)).not.toContain('sql01/backup');
  });

  it('a verdict that has held for ten days is shown once the engine restates it, with the day it began', async () => {
    const globex = states().filter((s) => s.tenant === 'globex');
    expect(globex.length).toBeGreaterThan(0);
    // Its only points are ten days old: outside the dashboard's window.
    expect([...(await verdictTable()).keys()].filter((k) => k.startsWith('old01/'))).toEqual([]);
    clock = Date.now();
    // The acme verdicts were written less than a day ago: only old01's are due.
    expect(engine.restate()).toBe(globex.length);
    expect(engine.restate()).toBe(0);
    await influx.ship(store);
    const shown = await verdictTable();
    expect(new Map([...shown].filter(([k]) => k.startsWith('old01/')))).toEqual(expectedTable(globex));
    expect(globex.every((s) => seconds(s.since) === seconds(OLD))).toBe(true);
    // The acme rows are unchanged by it.
    expect(new Map([...shown].filter(([k]) => !k.startsWith('old01/')))).toEqual(expectedTable(states().filter((s) => s.tenant === 'acme')));
  });
});
