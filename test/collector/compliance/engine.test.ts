// The compliance engine over a real SQLite store in a temp dir: verdicts as points arrive, the slow tick for ages,
// the state and `compliance` points it records, pending updates aged from their first sighting, a restart, and the
// tenant thresholds from the rules file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { watchpost } from '../../../proto/index.js';
import { parseRules, type RuleSet } from '../../../collector/src/alerting/rules/rules-file.js';
import { createComplianceEngine } from '../../../collector/src/compliance/engine.js';
import { complianceTable } from '../../../collector/src/compliance/table.js';
import { ConfigError } from '../../../collector/src/errors.js';
import { openStore, type Store } from '../../../collector/src/store/index.js';

const T0 = Date.parse('2026-11-02T08:00:00Z');
const H = 3_600_000;
const D = 24 * H;

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup(rulesYaml = '') {
  const dir = mkdtempSync(join(tmpdir(), 'wp-compliance-'));
  dirs.push(dir);
  const file = join(dir, 'watchpost.db');
  const store = openStore(file);
  stores.push(store);
  store.tenants.add({ id: 'acme', name: 'Acme' });
  const { agentId } = store.agents.enroll({ tenant: 'acme', hostname: 'sql01', os: 'win32', arch: 'x64', agentVersion: '1' });
  const rules: RuleSet = parseRules(rulesYaml, 'rules.yaml');
  let now = T0;
  const clock = { now: () => now, set: (ms: number) => void (now = ms) };
  const open = (s: Store) =>
    createComplianceEngine({
      store: s,
      rules: () => rules,
      now: clock.now,
      onError: (_id, e) => {
        throw e;
      },
    });
  const agent = { id: agentId, tenant: 'acme', hostname: 'sql01' };
  return { store, file, clock, agent, engine: open(store), open };
}

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

const inventory = (t: number) =>
  sample('inventory', t, { os_family: 'windows', os_name: 'Windows Server 2022 Standard', os_build: '20348', os_product_type: 'server' });
const backupSummary = (t: number, lastSuccess: number) => sample('backup', t, { products: 1, detectable: true, last_success: Math.floor(lastSuccess / 1000) });
const verdictOf = (store: Store, standard: string) => store.compliance.states('acme').find((s) => s.standard === standard);
const outboxLines = (store: Store) => store.influxOutbox.peek(1000).map((r) => r.line);

describe('compliance engine', () => {
  it('evaluates as points arrive, records each change as a state and a compliance point, and ages a backup on the tick', () => {
    const { store, clock, agent, engine } = setup();
    engine.observe(agent, [inventory(T0 - 60_000), backupSummary(T0 - 60_000, T0 - 2 * H)]);
    const backup = verdictOf(store, 'backup')!;
    expect(backup).toMatchObject({ verdict: 'pass', reason: 'last successful backup 2 hours ago', since: T0, host: 'sql01' });
    expect(backup.evidence).toMatchObject({ measurement: 'backup', time: T0 - 60_000, fields: { products: 1, detectable: true } });
    // A server: raid and ups apply (no point yet: unknown), and every standard has a row.
    expect(
      store.compliance
        .states('acme')
        .map((s) => s.standard)
        .sort(),
    ).toEqual(
      [
        'activation',
        'antivirus',
        'backup',
        'firewall_apps',
        'os_floor',
        'os_supported',
        'password_policy',
        'patches',
        'powered_on_overnight',
        'raid',
        'remote_access',
        'ups',
      ].sort(),
    );
    expect(verdictOf(store, 'raid')).toMatchObject({ verdict: 'unknown', reason: 'no raid point yet' });
    const lines = outboxLines(store);
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^compliance,host=sql01,standard=backup,tenant=acme,verdict=pass reason="last successful backup 2 hours ago",since=\d+i,evidence_measurement="backup",evidence_time=\d+i,waived=false \d+$/,
      ),
    );
    expect(lines.filter((l) => l.startsWith('compliance,'))).toHaveLength(12);

    // 20 hours on: still within 26 h; the reason changes, the verdict and its since do not, and no point is written.
    clock.set(T0 + 20 * H);
    expect(engine.tick()).toBe(0);
    expect(verdictOf(store, 'backup')).toMatchObject({ verdict: 'pass', reason: 'last successful backup 22 hours ago', since: T0 });
    // Past 26 h with no new point: the tick fails it.
    clock.set(T0 + 25 * H);
    expect(engine.tick()).toBe(1);
    expect(verdictOf(store, 'backup')).toMatchObject({
      verdict: 'fail',
      since: T0 + 25 * H,
      reason: 'last successful backup 27 hours ago, on 2026-11-02; the limit is 26 hours',
    });
    expect(outboxLines(store).at(-1)).toMatch(/^compliance,host=sql01,standard=backup,tenant=acme,verdict=fail reason="[^"]+",since=\d+i,previous="pass",/);
    // A new success passes it again.
    engine.observe(agent, [backupSummary(T0 + 26 * H, T0 + 25.5 * H)]);
    expect(verdictOf(store, 'backup')).toMatchObject({ verdict: 'pass' });
  });

  it('ages pending security updates from their first sighting and forgets those no longer listed', () => {
    const { store, clock, agent, engine } = setup();
    const run = (t: number, kbs: string[]) => [
      sample('patches', t, { pending_total: kbs.length, pending_security: kbs.length, last_success: Math.floor((t - D) / 1000) }, { source: 'wua' }),
      ...kbs.map((kb, i) => sample('patches_pending', t + i + 1, { title: `Update ${kb}`, kb, security: true }, { source: 'wua' })),
      sample('patches_pending', t + 9, { title: 'Feature pack', kb: 'KB0', security: false }, { source: 'wua' }),
    ];
    engine.observe(agent, run(T0, ['KB1', 'KB2']));
    expect(store.compliance.pending(agent.id).map((u) => u.key)).toEqual(['kb:KB1', 'kb:KB2']);
    clock.set(T0 + 10 * D);
    engine.observe(agent, run(T0 + 10 * D, ['KB2']));
    // KB1 is no longer listed: it no longer counts, and it is forgotten once a later run has come too.
    expect(verdictOf(store, 'patches')).toMatchObject({ verdict: 'pass', reason: '1 security/critical update pending, none longer than 14 days' });
    clock.set(T0 + 15 * D);
    engine.observe(agent, run(T0 + 15 * D, ['KB2']));
    expect(store.compliance.pending(agent.id)).toEqual([{ key: 'kb:KB2', title: 'Update KB2', firstSeen: T0 + 2, lastSeen: T0 + 15 * D + 1 }]);
    expect(verdictOf(store, 'patches')).toMatchObject({
      verdict: 'fail',
      reason: '1 security/critical update pending longer than 14 days (oldest: Update KB2, pending since 2026-11-02)',
    });
  });

  it("counts the previous run's updates while this run's patches_pending points have not arrived", () => {
    const { store, clock, agent, engine } = setup();
    const summary = (t: number) => sample('patches', t, { pending_total: 1, pending_security: 1 }, { source: 'wua' });
    const pending = (t: number) => sample('patches_pending', t + 1, { title: 'Update KB9', kb: 'KB9', security: true }, { source: 'wua' });
    engine.observe(agent, [summary(T0), pending(T0)]);
    clock.set(T0 + 15 * D);
    engine.observe(agent, [summary(T0 + 15 * D)]);
    expect(verdictOf(store, 'patches')).toMatchObject({ verdict: 'fail', since: T0 + 15 * D });
    engine.observe(agent, [pending(T0 + 15 * D)]);
    expect(verdictOf(store, 'patches')).toMatchObject({ verdict: 'fail', since: T0 + 15 * D, reason: /oldest: Update KB9, pending since 2026-11-02/ });
  });

  it('fails a host whose antivirus probe runs and reports no product', () => {
    const { store, agent, engine } = setup();
    engine.observe(agent, [
      sample('agent_probe', T0 - 1000, { runs: 2, errors: 0, samples: 0 }, { probe: 'antivirus' }),
      sample('agent_probe', T0, { runs: 5 }, { probe: 'cpu' }),
    ]);
    expect(verdictOf(store, 'antivirus')).toMatchObject({ verdict: 'fail', reason: 'the antivirus probe runs and reports no protection product' });
  });

  it('resumes after a restart from the stored points and states', () => {
    const { store, file, clock, agent, engine, open } = setup();
    engine.observe(agent, [inventory(T0), backupSummary(T0, T0 - H)]);
    store.close();
    stores.splice(stores.indexOf(store), 1);
    const reopened = openStore(file);
    stores.push(reopened);
    const again = open(reopened);
    clock.set(T0 + 2 * H);
    // Nothing arrived since the restart: the tick evaluates on the stored points, so nothing flips to unknown.
    expect(again.tick()).toBe(0);
    expect(verdictOf(reopened, 'backup')).toMatchObject({ verdict: 'pass', since: T0, reason: 'last successful backup 3 hours ago' });
    expect(verdictOf(reopened, 'os_floor')).toMatchObject({ verdict: 'pass' });
  });

  it('applies the tenant thresholds and disabled standards from the rules file, and drops rows that stop applying', () => {
    const rules = `
terms: { compliance: { backup: { server_max_age: 2h }, disabled: [ups] } }
tenants:
  acme:
    terms: { compliance: { backup: { workstation_max_age: 3d }, os_floor: { windows_server: "2025" } } }
    hosts: { sql01: { role: server } }
`;
    const { store, agent, engine } = setup(rules);
    engine.observe(agent, [inventory(T0), backupSummary(T0, T0 - 3 * H)]);
    // The tenant's backup settings merged with the top level's: server_max_age 2h still applies.
    expect(verdictOf(store, 'backup')).toMatchObject({ verdict: 'fail', reason: /the limit is 2 hours$/ });
    expect(verdictOf(store, 'os_floor')).toMatchObject({
      verdict: 'fail',
      reason: 'Windows Server 2022 Standard (build 20348) is below the floor windows_server 2025',
    });
    expect(verdictOf(store, 'ups')).toBeUndefined();
    expect(complianceTable(store, 'acme').counts.fail).toBeGreaterThanOrEqual(2);
  });

  it('drops a revoked agent from the table', () => {
    const { store, agent, engine } = setup();
    engine.observe(agent, [inventory(T0)]);
    expect(complianceTable(store, 'acme').rows.length).toBeGreaterThan(0);
    store.agents.revoke(agent.id);
    expect(engine.tick()).toBe(0);
    expect(complianceTable(store, 'acme').rows).toEqual([]);
  });

  it.each([
    [
      'terms: { compliance: { disabled: [backups] } }',
      'rules.yaml: terms.compliance.disabled[0]: unknown standard "backups" (known: os_floor, os_supported, patches',
    ],
    [
      'terms: { compliance: { os_floor: { windows_server: "2013" } } }',
      'rules.yaml: terms.compliance.os_floor.windows_server: expected a Windows Server release',
    ],
    [
      'tenants: { acme: { terms: { compliance: { os_floor: { ubuntu: jammy } } } } }',
      'rules.yaml: tenants.acme.terms.compliance.os_floor.ubuntu: expected a version like 11 or 22.04; got "jammy"',
    ],
    ['terms: { compliance: { backup: { server_max_age: soon } } }', 'rules.yaml: terms.compliance.backup.server_max_age: expected a duration'],
    ['terms: { compliance: { antivirus: { realtime: false } } }', 'rules.yaml: terms.compliance.antivirus'],
  ])('refuses a bad compliance setting: %s', (yaml, message) => {
    let error: unknown;
    try {
      parseRules(yaml, 'rules.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(message);
  });
});
