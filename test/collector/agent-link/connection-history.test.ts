// The connection history as the collector writes it for real agents over WebSocket: a session opens at the accepted
// Hello and ends when the link closes; a second link of the same agent replaces the first without two open sessions;
// and after `watchpost-collector serve` is killed with SIGKILL (no disconnect recorded), the next collector to start
// ends the dangling session at the agent's last recorded sign of life, not at its own start.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatAgentCredential, openStore } from '../../../collector/src/store/index.js';
import { RecordingSink, startCollector } from '../../helpers/collector.js';
import { serveEnv } from '../../helpers/collector-cli.js';
import { hello, openAgent, type TestAgent } from '../../helpers/agent-client.js';
import { freePort, startInfluxd } from '../../helpers/influxd.js';
import { startProc, stopProc } from '../../helpers/proc.js';
import { until } from '../../helpers/until.js';

const HEARTBEAT = '500ms';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function connect(wsUrl: string, credential: string, hostname: string): Promise<TestAgent> {
  const agent = await openAgent(wsUrl, credential);
  agent.send({ hello: { ...hello().hello!, hostname } });
  await agent.next((e) => e.msg === 'welcome');
  return agent;
}

describe('connection history', () => {
  it('opens a session at the Hello, replaces it on a duplicate link, and ends it when the link closes', async () => {
    const c = await startCollector({ sink: new RecordingSink(), env: { WATCHPOST_AGENTS_HEARTBEAT: HEARTBEAT } });
    try {
      const { agentId, credential, hostname } = c.enroll();
      const history = () => c.store.sessions.overlapping(agentId, 0, Date.now() + 60_000);
      const before = Date.now();
      const first = await connect(c.wsUrl, credential, hostname);
      expect(history()).toEqual([{ agentId, tenant: 'acme', connectedAt: expect.any(Number) as number, disconnectedAt: null, end: null }]);
      expect(history()[0]!.connectedAt).toBeGreaterThanOrEqual(before);

      // The same agent again while the first socket is open: the first is closed as replaced, one session stays open.
      const second = await connect(c.wsUrl, credential, hostname);
      await first.closed;
      const [replaced, current] = history();
      expect(replaced).toMatchObject({ end: 'replaced', disconnectedAt: current!.connectedAt });
      expect(current).toMatchObject({ disconnectedAt: null });

      await sleep(1_200);
      second.socket.close();
      await until(() => history()[1]?.disconnectedAt != null, 5_000, 'the session to end');
      const ended = history()[1]!;
      expect(ended.end).toBe('disconnect');
      expect(ended.disconnectedAt! - ended.connectedAt).toBeGreaterThanOrEqual(1_200);
      expect(ended.disconnectedAt).toBeLessThanOrEqual(Date.now());
    } finally {
      await c.close();
    }
  }, 30_000);

  it('after serve is killed, the next collector ends the dangling session at the last sign of life', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wp-history-'));
    const dataDir = join(dir, 'data');
    const [influx, port] = await Promise.all([startInfluxd(), freePort()]);
    const serve = startProc(
      process.execPath,
      ['--import', 'tsx', 'collector/src/bin.ts', 'serve'],
      serveEnv({ port, influxUrl: influx.url, dataDir, adminKey: 'history-admin-key-0123456789' }, { WATCHPOST_AGENTS_HEARTBEAT: HEARTBEAT }),
    );
    const store = await (async () => {
      await until(async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null))?.status === 200, 30_000, 'the collector to serve');
      return openStore(join(dataDir, 'watchpost.db'));
    })();
    let next: Awaited<ReturnType<typeof startCollector>> | undefined;
    try {
      store.tenants.add({ id: 'acme', name: 'Acme' });
      const { token } = store.tokens.create({ tenant: 'acme', expiresAt: Date.now() + 60_000, uses: 1 });
      const enrolled = store.enrollWithToken(token, { hostname: 'srv-01', os: 'linux', arch: 'x64', agentVersion: 'test' });
      if (!enrolled.ok) throw new Error(enrolled.reason);
      const { agentId } = enrolled;
      const credential = formatAgentCredential(agentId, enrolled.secret);
      const history = () => store.sessions.overlapping(agentId, 0, Date.now() + 60_000);

      const agent = await connect(`ws://127.0.0.1:${port}/agent/v1`, credential, 'srv-01');
      await until(() => history().length === 1, 5_000, 'the session to open');
      const connectedAt = history()[0]!.connectedAt;
      // A few heartbeats: the serving process records the agent's last sign of life each one.
      await until(() => (store.agents.get(agentId)?.lastSeenAt ?? 0) >= connectedAt + 1_500, 10_000, 'a heartbeat record');

      await stopProc(serve, 'SIGKILL');
      await agent.closed;
      const lastSeenAt = store.agents.get(agentId)!.lastSeenAt!;
      expect(history()).toEqual([{ agentId, tenant: 'acme', connectedAt, disconnectedAt: null, end: null }]);
      await sleep(2_000);

      const restartedAt = Date.now();
      next = await startCollector({ sink: new RecordingSink(), dataDir, env: { WATCHPOST_AGENTS_HEARTBEAT: HEARTBEAT } });
      expect(history()).toEqual([{ agentId, tenant: 'acme', connectedAt, disconnectedAt: lastSeenAt, end: 'restart' }]);
      expect(restartedAt - lastSeenAt).toBeGreaterThanOrEqual(2_000);

      // The agent comes back to the new collector: a second session, open, then ended by its close.
      const again = await connect(next.wsUrl, credential, 'srv-01');
      await until(() => history().length === 2, 5_000, 'the new session');
      expect(history()[1]).toMatchObject({ disconnectedAt: null });
      again.socket.close();
      await until(() => history()[1]?.end === 'disconnect', 5_000, 'the new session to end');
    } finally {
      await next?.close();
      store.close();
      await stopProc(serve);
      await influx.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
