// powered_on_overnight through the compliance engine over a real SQLite store: the engine reads the host's connection
// history (store/sessions.ts) and the tenant's zone, and its slow tick turns a night that ended into a new verdict and
// a `compliance` point without any new point from the agent. Workstations get no row unless the tenant asks.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseRules } from '../../../collector/src/alerting/rules/rules-file.js';
import { createComplianceEngine } from '../../../collector/src/compliance/engine.js';
import { openStore, type Store } from '../../../collector/src/store/index.js';

const H = 3_600_000;
const D = 24 * H;
// Berlin is UTC+1 in November: the 02:00-04:00 window of local day N is 01:00-03:00 UTC on day N.
const night = (day: number) => ({ from: Date.UTC(2026, 10, day, 1), to: Date.UTC(2026, 10, day, 3) });

const RULES = `
tenants:
  acme:
    calendars:
      office: { timezone: Europe/Berlin, days: [mon, tue, wed, thu, fri], hours: [{ start: "08:00", end: "17:00" }] }
    terms: { calendar: office, compliance: { powered_on_overnight: { nights: 3, of: 4 } } }
`;

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup(rulesYaml = RULES) {
  const dir = mkdtempSync(join(tmpdir(), 'wp-overnight-'));
  dirs.push(dir);
  // Agents are enrolled on Nov 1 2026 (the store's clock).
  const store = openStore(join(dir, 'watchpost.db'), { now: () => Date.UTC(2026, 10, 1) });
  stores.push(store);
  store.tenants.add({ id: 'acme', name: 'Acme' });
  const agent = (hostname: string) => {
    const { agentId } = store.agents.enroll({ tenant: 'acme', hostname, os: 'win32', arch: 'x64', agentVersion: '1' });
    return { id: agentId, tenant: 'acme', hostname };
  };
  const rules = parseRules(rulesYaml, 'rules.yaml');
  let now = 0;
  const engine = createComplianceEngine({
    store,
    rules: () => rules,
    now: () => now,
    onError: (_id, e) => {
      throw e;
    },
  });
  return { store, engine, agent, setNow: (ms: number) => void (now = ms) };
}

const inventory = (productType: string, t: number) => ({
  measurement: 'inventory',
  timeMs: t,
  tags: [],
  fields: [
    { key: 'os_family', str: 'windows' },
    { key: 'os_product_type', str: productType },
  ],
});

describe('compliance engine: powered_on_overnight', () => {
  it('judges a server from its connection history in the tenant zone, and the tick re-judges when a night ends', () => {
    const { store, engine, agent, setNow } = setup();
    const server = agent('sql01');
    const workstation = agent('ws-7');
    // The collector has recorded connections since Nov 1, when the agents were enrolled.
    store.sessions.recover(Date.UTC(2026, 10, 1));
    for (const day of [14, 15, 16, 17]) {
      store.sessions.open(server.id, 'acme', night(day).from - H);
      store.sessions.close(server.id, night(day).to + H);
    }
    store.sessions.open(workstation.id, 'acme', Date.UTC(2026, 10, 10));

    // Nov 17 12:00 UTC: the last four nights are Nov 14..17, all on.
    setNow(Date.UTC(2026, 10, 17, 12));
    engine.observe(server, [inventory('server', Date.UTC(2026, 10, 17, 11))]);
    engine.observe(workstation, [inventory('workstation', Date.UTC(2026, 10, 17, 11))]);
    const state = () => store.compliance.states('acme', server.id).find((s) => s.standard === 'powered_on_overnight');
    expect(state()).toMatchObject({
      verdict: 'pass',
      reason: 'connected overnight on 4 of the last 4 nights (window 02:00-04:00 Europe/Berlin)',
      evidence: { measurement: 'agent_sessions', time: night(17).to, fields: { nights_on: 4, nights: 4 } },
      since: Date.UTC(2026, 10, 17, 12),
    });
    // Workstations are not asked by default: no row at all.
    expect(store.compliance.states('acme', workstation.id).map((s) => s.standard)).not.toContain('powered_on_overnight');

    // Two nights pass with the server off. No new point arrives; the tick alone re-judges it.
    setNow(Date.UTC(2026, 10, 18, 12));
    engine.tick();
    expect(state()).toMatchObject({ verdict: 'pass', reason: 'connected overnight on 3 of the last 4 nights (window 02:00-04:00 Europe/Berlin)' });
    const before = store.influxOutbox.peek(1000).length;
    setNow(Date.UTC(2026, 10, 19, 12));
    expect(engine.tick()).toBe(1);
    expect(state()).toMatchObject({
      verdict: 'fail',
      reason: 'connected overnight on 2 of the last 4 nights (window 02:00-04:00 Europe/Berlin); at least 3 required',
      since: Date.UTC(2026, 10, 19, 12),
    });
    const points = store.influxOutbox
      .peek(1000)
      .slice(before)
      .map((r) => r.line);
    expect(points).toHaveLength(1);
    expect(points[0]).toMatch(/^compliance,.*standard=powered_on_overnight.*verdict=fail/);
  });

  it('is unknown while the history is younger than the nights it needs, and covers workstations when the tenant asks', () => {
    const { store, engine, agent, setNow } = setup(RULES.replace('nights: 3, of: 4', 'nights: 3, of: 4, workstations: true'));
    const ws = agent('ws-9');
    store.sessions.recover(Date.UTC(2026, 10, 16, 12));
    store.sessions.open(ws.id, 'acme', Date.UTC(2026, 10, 16, 12));
    setNow(Date.UTC(2026, 10, 19, 12));
    engine.observe(ws, [inventory('workstation', Date.UTC(2026, 10, 19, 11))]);
    const state = store.compliance.states('acme', ws.id).find((s) => s.standard === 'powered_on_overnight');
    expect(state).toMatchObject({ verdict: 'unknown', reason: expect.stringMatching(/^3 of the last 4 nights .* begins on 2026-11-16$/) as unknown });
    setNow(Date.UTC(2026, 10, 20, 12) + D);
    engine.tick();
    expect(store.compliance.states('acme', ws.id).find((s) => s.standard === 'powered_on_overnight')).toMatchObject({ verdict: 'pass' });
  });
});
