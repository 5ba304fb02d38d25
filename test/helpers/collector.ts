// A real collector app (real SQLite store in a temp dir, real HTTP/WebSocket server on a loopback port) around
// the point sink a test chooses.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { afterAll, beforeAll } from 'vitest';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, type CollectorApp } from '../../collector/src/app.js';
import { loadConfig, type Config } from '../../collector/src/config/config.js';
import { loadTlsMaterial } from '../../collector/src/config/tls.js';
import { formatAgentCredential, openStore, type Store } from '../../collector/src/store/index.js';
import type { PointSink, WriteResult } from '../../collector/src/influx/writer-contract.js';
import type { SinkStatus } from '../../collector/src/routes/health.js';
import type { Policy } from '../../collector/src/agent-link/probe-policy.js';
import type { RuleSet } from '../../collector/src/alerting/rules/rules-file.js';
import type { DeskSet } from '../../collector/src/desks/desks-file.js';

export const ADMIN_KEY = 'test-admin-key-0123456789';

export interface TestCollector extends CollectorApp {
  store: Store;
  config: Config;
  /** The data directory (watchpost.db): CLI subprocesses pointed at it act on this collector's store. */
  dataDir: string;
  port: number;
  /** With tls: the self-signed certificate, for clients to trust. */
  caPem?: string;
  /** http://127.0.0.1:PORT (https with tls) */
  baseUrl: string;
  wsUrl: string;
  /**
   * Enrolls an agent of `tenant` (default acme) straight through the store. Each gets its own hostname (test-host-1,
   * test-host-2, ...; a hostname is unique among a tenant's live agents) unless the test names one.
   */
  enroll(tenant?: string, hostname?: string): { agentId: string; credential: string; hostname: string };
  /**
   * Revokes the live agents of `tenant` bound to `hostname`, as an admin does when that machine is gone: tests that
   * enroll the real agent (named after this machine) from fresh state directories call it between "machines".
   */
  retire(hostname: string, tenant?: string): void;
  close(): Promise<void>;
}

/** Records every write and answers with `result` (change it to simulate InfluxDB being down). */
export class RecordingSink implements PointSink {
  lines: string[][] = [];
  result: WriteResult = { ok: true };
  write(lines: string[]): Promise<WriteResult> {
    if (this.result.ok) this.lines.push(lines);
    return Promise.resolve(this.result);
  }
  status(): SinkStatus {
    return this.result.ok ? { healthy: true } : { healthy: false, reason: this.result.reason };
  }
}

/**
 * A self-signed certificate for 127.0.0.1 and localhost, made by openssl at test time in `dir`. Returns the file
 * paths and the certificate PEM (for clients to trust as their CA).
 */
export function selfSignedCert(dir: string, name = 'server'): { cert: string; key: string; pem: string } {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-keyout',
      key,
      '-out',
      cert,
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { stdio: 'ignore' },
  );
  return { cert, key, pem: readFileSync(cert, 'utf8') };
}

export interface StartOptions {
  sink: PointSink & { status(): SinkStatus };
  env?: Record<string, string>;
  /** Serve https/wss with a fresh self-signed certificate (TestCollector.caPem trusts it). */
  tls?: boolean;
  /** Receives the collector's log lines (pino JSON, level debug) instead of silence. */
  logStream?: Writable;
  /** The central probe policy, read at each Hello and pushPolicy(). */
  policy?: () => Policy;
  /** The alert rules (default: the shipped pack). */
  rules?: () => RuleSet;
  /** The service desks (default: none). */
  desks?: () => DeskSet;
  /** The alert engine's tick period; 0: never by itself (call engine.tick()). Default 0 in tests. */
  alertTickMs?: number;
  /** The data directory (e.g. on a filesystem the test fills); default a fresh temp dir, removed at close. */
  dataDir?: string;
}

export async function startCollector(options: StartOptions): Promise<TestCollector> {
  const dir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'wp-collector-'));
  const certs = options.tls ? selfSignedCert(dir) : undefined;
  const tlsEnv: Record<string, string> = certs ? { WATCHPOST_TLS_CERT: certs.cert, WATCHPOST_TLS_KEY: certs.key } : {};
  const config = loadConfig({ env: { WATCHPOST_DATA_DIR: dir, WATCHPOST_ADMIN_KEY: ADMIN_KEY, WATCHPOST_LOG_LEVEL: 'silent', ...tlsEnv, ...options.env } });
  // WATCHPOST_STORE_URL in `env`: the store is that PostgreSQL database, as serve opens it.
  const store = openStore(config.store.url || join(dir, 'watchpost.db'));
  const logger = options.logStream ? { level: 'debug', stream: options.logStream } : undefined;
  const built = await buildApp({
    config,
    store,
    sink: options.sink,
    tls: loadTlsMaterial(config.tls),
    logger,
    alertTickMs: options.alertTickMs ?? 0,
    ...(options.policy ? { policy: options.policy } : {}),
    ...(options.rules ? { rules: options.rules } : {}),
    ...(options.desks ? { desks: options.desks } : {}),
  });
  await built.app.listen({ host: '127.0.0.1', port: 0 });
  const address = built.app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  if (!store.tenants.get('acme')) store.tenants.add({ id: 'acme', name: 'Acme Ltd' });
  const scheme = certs ? 's' : '';
  let enrolled = 0;
  return {
    ...built,
    store,
    config,
    dataDir: dir,
    port,
    caPem: certs?.pem,
    baseUrl: `http${scheme}://127.0.0.1:${port}`,
    wsUrl: `ws${scheme}://127.0.0.1:${port}/agent/v1`,
    enroll(tenant = 'acme', hostname = `test-host-${++enrolled}`) {
      const { token } = store.tokens.create({ tenant, expiresAt: Date.now() + 60_000, uses: 1 });
      const result = store.enrollWithToken(token, { hostname, os: 'linux', arch: 'x64', agentVersion: 'test' });
      if (!result.ok) throw new Error(`enroll failed: ${result.reason}`);
      return { agentId: result.agentId, credential: formatAgentCredential(result.agentId, result.secret), hostname };
    },
    retire(hostname, tenant = 'acme') {
      for (const a of store.agents.list(tenant)) if (a.revokedAt === null && a.hostname.toLowerCase() === hostname.toLowerCase()) store.agents.revoke(a.id);
    },
    async close() {
      await built.app.close();
      store.close();
      if (!options.dataDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One collector for the whole test file, around a RecordingSink: started before the first test, closed after the
 *  last. `collector()` is valid inside tests. */
export function useCollector(): { collector: () => TestCollector; sink: RecordingSink } {
  const sink = new RecordingSink();
  let current: TestCollector | undefined;
  beforeAll(async () => {
    current = await startCollector({ sink });
  });
  afterAll(async () => {
    await current?.close();
  });
  return { sink, collector: () => current! };
}
