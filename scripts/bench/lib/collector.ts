// The collector the latency benches run against: buildApp on a loopback port with its SQLite store in a temp dir,
// points to a real influxd when one can start (else a sink that accepts at once: alerting runs before the write),
// the default rule pack with disk_space's hold time removed (the issues measure without it), optionally a desks
// file. The store is wrapped to report when a transaction that opened a ticket has committed, and the engine's
// observe and tick can be timed (watchEngine); client and collector share one process and clock.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { buildApp, type CollectorApp } from '../../../collector/src/app.js';
import { loadConfig } from '../../../collector/src/config/config.js';
import { createInfluxWriter } from '../../../collector/src/influx/writer.js';
import { openStore, type Store } from '../../../collector/src/store/index.js';
import { loadRules, parseRules } from '../../../collector/src/alerting/rules/rules-file.js';
import { parseDesks } from '../../../collector/src/desks/desks-file.js';
import { startInfluxd, type Influxd } from '../../lib/influxd.js';
import { postgresBinDir, startPostgres, type Postgres } from '../../lib/postgres.js';
import type { Agent, Sent } from './fleet.js';

const BENCH_RULES = 'rules:\n  - { id: disk_space, for: 0s }\n';
export const BENCH_TENANT = 'bench';
const TOKEN_TTL_MS = 3_600_000;

export interface BenchCollectorOptions {
  /** Prefix of the temp dir. */
  name: string;
  /** A desks file (YAML); without it, no desks. */
  desks?: string;
  /** A transaction that opened a ticket for `host` has committed (at `committedAt`, after `txMs` in it). */
  onCommit?: (host: string, committedAt: number, txMs: number) => void;
  /** Every top-level store transaction, by its duration. */
  onTx?: (ms: number) => void;
  /** The store's backend: SQLite in the temp dir (default), or a database on a private PostgreSQL server started for
   *  the run (scripts/lib/postgres.ts, fsync and synchronous commit on, as a production server runs). */
  store?: 'sqlite' | 'postgres';
}

export interface BenchCollector {
  built: CollectorApp;
  /** The store as opened (not the observed wrapper buildApp got). */
  store: Store;
  port: number;
  /** The influxd the collector writes to (database `watchpost`, policy `autogen`); null with the instant sink. */
  influxUrl: string | null;
  /** An enrollment token of the bench tenant good for `uses` agents. */
  token(uses: number): string;
  /** The setup line: where SQLite and the points are. */
  describe(): string;
  close(): Promise<void>;
}

/** The store buildApp gets: the real one, reporting when a transaction that opened a ticket has committed. */
function observedStore(raw: Store, onCommit: NonNullable<BenchCollectorOptions['onCommit']>, onTx: NonNullable<BenchCollectorOptions['onTx']>): Store {
  let depth = 0;
  let opened: string[] = [];
  return {
    ...raw,
    tickets: {
      ...raw.tickets,
      open: (input, at, detail) => {
        const ticket = raw.tickets.open(input, at, detail);
        if (depth === 0) onCommit(input.host, performance.now(), 0);
        else opened.push(input.host);
        return ticket;
      },
    },
    transaction<T>(fn: () => T): T {
      const t0 = performance.now();
      depth += 1;
      try {
        const result = raw.transaction(fn);
        if (depth === 1) {
          const t1 = performance.now();
          onTx(t1 - t0);
          for (const host of opened) onCommit(host, t1, t1 - t0);
        }
        return result;
      } finally {
        depth -= 1;
        if (depth === 0) opened = [];
      }
    },
  };
}

export async function startBenchCollector(options: BenchCollectorOptions): Promise<BenchCollector> {
  const dir = mkdtempSync(join(tmpdir(), `${options.name}-`));
  const influx: Influxd | null = await startInfluxd().catch((error: Error) => {
    console.error(`no influxd (${error.message}); using an instant sink`);
    return null;
  });
  const writer = influx ? createInfluxWriter({ url: influx.url, database: 'watchpost', retentionPolicy: { name: 'autogen', duration: '1d' } }) : null;
  await writer?.ensureDatabase();
  const sink = writer ?? { write: () => Promise.resolve({ ok: true as const }), status: () => ({ healthy: true }) };
  // Every agent enrolls and connects from 127.0.0.1: the per-IP attempt limit (5/s, burst 100) would throttle that.
  const config = loadConfig({
    env: {
      WATCHPOST_DATA_DIR: dir,
      WATCHPOST_LOG_LEVEL: 'silent',
      WATCHPOST_LIMITS_IP_ATTEMPTS_PER_SECOND: '1000000',
      WATCHPOST_LIMITS_IP_ATTEMPT_BURST: '1000000',
    },
  });
  const postgres: Postgres | null = options.store === 'postgres' ? await startPostgres({ fast: false }) : null;
  const raw = openStore(postgres ? await postgres.createDatabase('watchpost') : join(dir, 'watchpost.db'));
  raw.tenants.add({ id: BENCH_TENANT, name: 'Bench' });
  const store = observedStore(raw, options.onCommit ?? (() => {}), options.onTx ?? (() => {}));
  const rules = parseRules(BENCH_RULES, 'bench rules', loadRules());
  const desks = options.desks === undefined ? null : parseDesks(options.desks, 'bench desks');
  const built = await buildApp({ config, store, sink, rules: () => rules, ...(desks ? { desks: () => desks } : {}) });
  const close = async (): Promise<void> => {
    await built.app.close();
    await writer?.close();
    raw.close();
    await postgres?.destroy();
    await influx?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await built.app.listen({ host: '127.0.0.1', port: 0 });
  } catch (error) {
    await close();
    throw error;
  }
  return {
    built,
    store: raw,
    port: (built.app.server.address() as AddressInfo).port,
    influxUrl: influx?.url ?? null,
    token: (uses) => raw.tokens.create({ tenant: BENCH_TENANT, expiresAt: Date.now() + TOKEN_TTL_MS, uses }).token,
    describe: () =>
      `${postgres ? `PostgreSQL (${postgresVersion()}, loopback, fsync and synchronous_commit on, the pg client in a worker thread)` : `SQLite (WAL, synchronous=FULL) in ${tmpdir()}`}; points to ${influx ? 'a real influxd (InfluxDB 1.x) on loopback' : 'an instant in-memory sink (influxd could not start)'}`,
    close,
  };
}

export interface EngineHooks {
  /** A batch of `agent` went through the engine's observe: `sent` is that batch, t0/t1 when observe began/ended. */
  observed?(agent: Agent, sent: Sent, t0: number, t1: number): void;
  /** One engine tick (absence, holds, SLA over every agent) took `ms` of CPU in all, its longest step `longestMs`
   *  (serve runs the steps with the event loop free in between: a batch waits at most for one step). */
  tick?(ms: number, longestMs: number): void;
}

/** Times the alert engine's observe (matching each call to the agent's oldest unobserved batch) and tick. */
export function watchEngine(built: CollectorApp, byId: ReadonlyMap<string, Agent>, hooks: EngineHooks): void {
  const { engine } = built;
  const observe = engine.observe;
  engine.observe = (identity, samples) => {
    const t0 = performance.now();
    const agent = byId.get(identity.id);
    const sent = agent?.unobserved.shift();
    observe(identity, samples);
    if (agent && sent) hooks.observed?.(agent, sent, t0, performance.now());
  };
  const tickSteps = engine.tickSteps.bind(engine);
  engine.tickSteps = function* () {
    let total = 0;
    let longest = 0;
    const steps = tickSteps();
    for (;;) {
      const t0 = performance.now();
      const step = steps.next();
      const ms = performance.now() - t0;
      total += ms;
      longest = Math.max(longest, ms);
      if (step.done) break;
      yield;
    }
    hooks.tick?.(total, longest);
  };
}

/** "PostgreSQL 15" from the installed server's bin directory. */
function postgresVersion(): string {
  return `PostgreSQL ${/postgresql\/(\d+)/.exec(postgresBinDir())?.[1] ?? '?'}`;
}
