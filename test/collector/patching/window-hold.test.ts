// A tenant's patch window is a maintenance window: the real alert engine (shipped default pack, real SQLite, injected
// clock) opens no ticket for a server that goes offline inside its window (the reboot after the installs), and opens
// one when the same happens outside it, or when the host is still offline after the window and its exit grace.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAlertEngine } from '../../../collector/src/alerting/engine.js';
import { createTransitions } from '../../../collector/src/alerting/influx-outbox-feed.js';
import { loadRules, parseRules } from '../../../collector/src/alerting/rules/rules-file.js';
import { openStore, type Store } from '../../../collector/src/store/index.js';

const MIN = 60_000;
const MONDAY_9 = Date.parse('2026-11-23T09:00:00Z');
const at = (minutes: number) => MONDAY_9 + minutes * MIN;

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const log = {
  warn: () => {},
  error: (obj: object, msg: string) => {
    throw new Error(`${msg}: ${JSON.stringify(obj)}`);
  },
};

/** srv1 of acme, last heard at 09:00 Monday, then offline; acme's patch window as `window` (24x7: UTC). */
function harness(window: string, hosts = '') {
  const dir = mkdtempSync(join(tmpdir(), 'wp-patch-hold-'));
  dirs.push(dir);
  let clock = MONDAY_9;
  const now = () => clock;
  const store = openStore(join(dir, 'watchpost.db'), { now });
  stores.push(store);
  store.tenants.add({ id: 'acme', name: 'Acme' });
  const { agentId } = store.agents.enroll({ tenant: 'acme', hostname: 'srv1', os: 'linux', arch: 'x64', agentVersion: '1.0.0' });
  const rules = parseRules(
    `
tenants:
  acme:
    terms: { calendar: 24x7, patches: { window: ${window} } }
${hosts}
`,
    'rules.yaml',
    loadRules(),
  );
  const engine = createAlertEngine({ store, rules: () => rules, transitions: createTransitions(store.influxOutbox, now), log, now, connected: () => false });
  store.agents.touch(agentId, { lastSeenAt: at(0) });
  return {
    tick(t: number) {
      clock = t;
      engine.tick();
    },
    tickets: () => store.tickets.list({}).map((t) => t.ruleId),
    heldBy: () =>
      store.influxOutbox
        .peek(1000)
        .map((r) => r.line)
        .filter((l) => l.startsWith('alerts,'))
        .map((l) => /held_by="([^"]*)"/.exec(l)?.[1]),
  };
}

describe('the patch window as a maintenance window', () => {
  it('holds the offline ticket of a server rebooting inside its window', () => {
    const h = harness('{ cron: "0 0 9 * * 1", duration: 2h }'); // Mondays 09:00-11:00 UTC
    h.tick(at(10)); // silent for 10 minutes: agent_offline_server fires, held
    h.tick(at(30));
    expect(h.tickets()).toEqual([]);
    expect(h.heldBy()).toContain('maintenance patch_window');
  });

  it('tickets a server still offline after the window and its exit grace', () => {
    const h = harness('{ cron: "0 0 9 * * 1", duration: 2h }');
    h.tick(at(10));
    h.tick(at(121)); // window over at 11:00, the 5-minute exit grace not yet
    expect(h.tickets()).toEqual([]);
    h.tick(at(126));
    expect(h.tickets()).toEqual(['agent_offline_server']);
  });

  it('tickets a server that goes offline outside its window at once', () => {
    const h = harness('{ cron: "0 0 9 * * 2", duration: 2h }'); // Tuesdays
    h.tick(at(10));
    expect(h.tickets()).toEqual(['agent_offline_server']);
  });

  it("follows the host entry's own window", () => {
    const h = harness('{ cron: "0 0 9 * * 2", duration: 2h }', '    hosts: { "srv*": { patch_window: { cron: "0 0 9 * * 1" } } }');
    h.tick(at(10));
    expect(h.tickets()).toEqual([]);
  });
});
