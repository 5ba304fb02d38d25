// Alert engine tick cost per agent: one engine over a real SQLite store with --agents enrolled agents
// (all connected, none breaching: the everyday case), the shipped rule pack; times whole ticks, best of --rounds,
// against the baseline of listing the same agents from the store (which every tick does first).
//
//   npx tsx scripts/bench/tick-cost.ts [--agents 20000] [--rounds 10]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createAlertEngine } from '../../collector/src/alerting/engine.js';
import { createTransitions } from '../../collector/src/alerting/influx-outbox-feed.js';
import { loadRules } from '../../collector/src/alerting/rules/rules-file.js';
import { openStore } from '../../collector/src/store/index.js';
import { machine } from './lib/stats.js';

const { values } = parseArgs({ options: { agents: { type: 'string', default: '20000' }, rounds: { type: 'string', default: '10' } } });
const n = Number(values.agents);
const rounds = Number(values.rounds);
const dir = mkdtempSync(join(tmpdir(), 'wp-tick-'));
try {
  const store = openStore(join(dir, 'watchpost.db'));
  store.tenants.add({ id: 'acme', name: 'Acme' });
  store.transaction(() => {
    for (let i = 0; i < n; i++) store.agents.enroll({ tenant: 'acme', hostname: `h-${i}`, os: i % 3 ? 'win32' : 'linux', arch: 'x64', agentVersion: '1' });
  });
  const rules = loadRules();
  const engine = createAlertEngine({
    store,
    rules: () => rules,
    transitions: createTransitions(store.influxOutbox, Date.now),
    log: { warn: () => {}, error: () => {} },
    connected: () => true,
  });
  const best = (fn: () => void): number => {
    let min = Infinity;
    for (let r = 0; r < rounds; r++) {
      const t0 = performance.now();
      fn();
      min = Math.min(min, performance.now() - t0);
    }
    return min;
  };
  const list = best(() => store.agents.list());
  const tick = best(() => engine.tick());
  console.log(machine());
  console.log(`${n} agents, shipped rule pack, best of ${rounds}`);
  console.log(`baseline: store.agents.list()  ${list.toFixed(1)} ms (${((list / n) * 1000).toFixed(2)} us/agent)`);
  console.log(`engine.tick()                  ${tick.toFixed(1)} ms (${((tick / n) * 1000).toFixed(2)} us/agent) = ${(tick / list).toFixed(1)}x the listing`);
  store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
