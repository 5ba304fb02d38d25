// The hostile Hellos of the security test against `watchpost-collector serve` as a process (what they used to
// crash, for every tenant) with a real influxd: each closes only its own connection with 1008, the process stays
// up, and a good agent still connects and its points land in InfluxDB.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, type watchpost } from '../../../proto/index.js';
import { formatAgentCredential, openStore, type Store } from '../../../collector/src/store/index.js';
import { CLOSE } from '../../../collector/src/errors.js';
import { startInfluxd, freePort, type Influxd } from '../../helpers/influxd.js';
import { startProc, stopProc, type Proc } from '../../helpers/proc.js';
import { serveEnv } from '../../helpers/collector-cli.js';
import { cpuBatch, hello, openAgent } from '../../helpers/agent-client.js';
import { until } from '../../helpers/until.js';

let dir: string;
let influx: Influxd;
let collector: Proc;
let store: Store;
let base: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wp-serve-hello-'));
  const [started, port] = await Promise.all([startInfluxd(), freePort()]);
  influx = started;
  base = `http://127.0.0.1:${port}`;
  const dataDir = join(dir, 'data');
  collector = startProc(
    process.execPath,
    ['--import', 'tsx', 'collector/src/bin.ts', 'serve'],
    serveEnv({ port, influxUrl: influx.url, dataDir, adminKey: 'serve-hello-admin-key' }),
  );
  await until(async () => (await fetch(`${base}/healthz`).catch(() => null))?.status === 200, 30_000, 'the collector to serve');
  store = openStore(join(dataDir, 'watchpost.db'));
  store.tenants.add({ id: 'acme', name: 'Acme' });
}, 60_000);

afterAll(async () => {
  store?.close();
  await stopProc(collector);
  await influx?.stop();
  rmSync(dir, { recursive: true, force: true });
});

let hosts = 0;
function enroll(): { credential: string; hostname: string } {
  const hostname = `serve-host-${++hosts}`;
  const { token } = store.tokens.create({ tenant: 'acme', expiresAt: Date.now() + 60_000, uses: 1 });
  const result = store.enrollWithToken(token, { hostname, os: 'linux', arch: 'x64', agentVersion: '0.1.0' });
  if (!result.ok) throw new Error(result.reason);
  return { credential: formatAgentCredential(result.agentId, result.secret), hostname };
}

const wsUrl = () => `${base.replace('http', 'ws')}/agent/v1`;

describe('serve survives the hostile Hellos', () => {
  it("closes each with 1008 bad_hello, stays up, and still stores a good agent's points", async () => {
    const hostile: watchpost.v1.IHello[] = [
      { protocolVersion: PROTOCOL_VERSION },
      { ...hello().hello!, agentVersion: '1'.repeat(65) },
      { ...hello().hello!, hostname: '' },
      { ...hello().hello!, hostname: 'victim\\' },
      { ...hello().hello!, hostname: 'ws-01\ncpu,host=victim,tenant=acme usage_user=99' },
    ];
    for (const body of hostile) {
      const agent = await openAgent(wsUrl(), enroll().credential);
      agent.send({ hello: body });
      expect((await agent.closed).code).toBe(CLOSE.policyViolation);
      expect(collector.child.exitCode).toBeNull();
    }
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/watchpost_rejections_total\{reason="bad_hello"\} 5/);
    expect(collector.log()).toContain('closing agent connection: bad Hello: agentVersion must be at most 64 characters');

    const { credential, hostname } = enroll();
    const good = await openAgent(wsUrl(), credential);
    good.send({ hello: { ...hello().hello!, hostname } });
    await good.next((e) => e.msg === 'welcome');
    good.send(cpuBatch(1));
    expect((await good.next((e) => e.msg === 'ack')).ack!.seq).toBe(1);
    good.socket.close();
    const q = encodeURIComponent(`SELECT usage_idle FROM cpu WHERE host = '${hostname}' AND tenant = 'acme'`);
    await until(
      async () => {
        const body = (await (await fetch(`${influx.url}/query?db=watchpost&q=${q}`)).json()) as { results: { series?: unknown[] }[] };
        return (body.results[0]?.series?.length ?? 0) > 0;
      },
      15_000,
      "the good agent's point in InfluxDB",
    );
    expect(collector.child.exitCode).toBeNull();
  }, 60_000);
});
