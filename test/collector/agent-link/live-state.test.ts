// A live agent's state as people see it: the API reads the session (current), the CLI, another process, reads what
// the collector records each heartbeat. Both show LAST SEEN as the agent's latest frame or pong, not its connect
// time; the last batch, the last ack and the spool depth the agent reports in its `agent` point; and offline after
// it disconnects.
import { describe, expect, it } from 'vitest';
import { reportedSpool } from '../../../collector/src/agent-link/agent-session.js';
import { collectorCli } from '../../helpers/collector-cli.js';
import { ADMIN_KEY, RecordingSink, startCollector } from '../../helpers/collector.js';
import { hello, openAgent } from '../../helpers/agent-client.js';
import { until } from '../../helpers/until.js';
import type { watchpost } from '../../../proto/index.js';

const HEARTBEAT = '500ms';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const agentPoint = (timeMs: number, batches: number, bytes: number): watchpost.v1.ISample => ({
  measurement: 'agent',
  timeMs,
  tags: [{ key: 'version', value: 'test' }],
  fields: [
    { key: 'connected', bool: true },
    { key: 'spool_batches', int: batches },
    { key: 'spool_bytes', int: bytes },
  ],
});

interface AgentJson {
  id?: string;
  agentId?: string;
  connected?: boolean;
  online?: boolean;
  lastSeenAt: string | number | null;
  lastBatchAt: string | number | null;
  lastAckAt: string | number | null;
  lastAckedSeq: number;
  spool: { batches: number; bytes: number | null } | null;
}

describe('reportedSpool', () => {
  it('takes the newest agent point with a whole spool_batches, never stamped later than its arrival', () => {
    const now = 1_000_000;
    expect(reportedSpool([{ measurement: 'cpu', fields: [{ key: 'spool_batches', int: 3 }] }], now)).toBeNull();
    expect(reportedSpool([agentPoint(now - 10, 4, 100), agentPoint(now - 20, 9, 900)], now)).toEqual({ batches: 4, bytes: 100, reportedAt: now - 10 });
    expect(reportedSpool([agentPoint(now + 60_000, 2, 5)], now)).toEqual({ batches: 2, bytes: 5, reportedAt: now });
    const bad = (value: watchpost.v1.IField) => reportedSpool([{ measurement: 'agent', timeMs: now, fields: [value] }], now);
    expect(bad({ key: 'spool_batches', int: -1 })).toBeNull();
    expect(bad({ key: 'spool_batches', int: 1.5 })).toBeNull();
    expect(bad({ key: 'spool_batches', str: '7' })).toBeNull();
    expect(bad({ key: 'spool_batches', int: 7 })).toEqual({ batches: 7, bytes: null, reportedAt: now });
  });
});

describe('a live agent in GET /api/v1/agents and `watchpost-collector agents`', () => {
  it('shows it online with its latest frame, batch, ack and spool, current rather than its connect time; offline once gone', async () => {
    const c = await startCollector({ sink: new RecordingSink(), env: { WATCHPOST_AGENTS_HEARTBEAT: HEARTBEAT } });
    const cliEnv = { WATCHPOST_DATA_DIR: c.dataDir, WATCHPOST_AGENTS_HEARTBEAT: HEARTBEAT };
    const api = async (): Promise<AgentJson> => {
      const res = await c.app.inject({ url: '/api/v1/agents', headers: { authorization: `Bearer ${ADMIN_KEY}` } });
      return (res.json() as { agents: AgentJson[] }).agents[0]!;
    };
    const cli = async (): Promise<AgentJson> => JSON.parse((await collectorCli(['agents', '--json'], cliEnv)).stdout)[0];
    try {
      const { agentId, credential, hostname } = c.enroll();
      const agent = await openAgent(c.wsUrl, credential);
      agent.send({ hello: { ...hello().hello!, hostname } });
      await agent.next((e) => e.msg === 'welcome');
      const connectedAt = c.store.agents.get(agentId)!.lastSeenAt!;
      expect(c.store.agents.get(agentId)?.connectedAt).toBe(connectedAt);

      agent.send({ batch: { seq: 1, samples: [agentPoint(Date.now(), 7, 2048)] } });
      await agent.next((e) => e.ack?.seq === 1);
      // Long enough for LAST SEEN, to the second as the CLI prints it, to differ from the connect time.
      await sleep(2_500);

      const fromApi = await api();
      expect(fromApi).toMatchObject({ agentId, connected: true, lastAckedSeq: 1, spool: { batches: 7, bytes: 2048 } });
      expect(Date.parse(fromApi.lastSeenAt as string)).toBeGreaterThan(connectedAt + 2_000);
      expect(Date.parse(fromApi.lastBatchAt as string)).toBeGreaterThanOrEqual(connectedAt);
      expect(Date.parse(fromApi.lastAckAt as string)).toBeGreaterThanOrEqual(Date.parse(fromApi.lastBatchAt as string));

      const fromCli = await cli();
      expect(fromCli).toMatchObject({ id: agentId, online: true, lastAckedSeq: 1, spool: { batches: 7, bytes: 2048 } });
      expect(fromCli.lastSeenAt as number).toBeGreaterThan(connectedAt + 2_000);
      expect(fromCli.lastBatchAt).toBe(Date.parse(fromApi.lastBatchAt as string));
      const table = (await collectorCli(['agents'], cliEnv)).stdout;
      expect(table).toMatch(/^AGENT +TENANT +HOST +STATE +LAST SEEN +LAST BATCH +LAST ACK +SPOOL +VERSION +OS +SUPPORT\n/);
      const row = table.split('\n').find((l) => l.startsWith(agentId))!;
      expect(row).toMatch(new RegExp(`^${agentId} +acme +${hostname} +online +\\S+Z +\\S+Z +\\S+Z #1 +7 +test +linux/x64 +-$`));
      const lastSeenShown = Date.parse(row.split(/ +/)[4]!);
      expect(lastSeenShown).toBeGreaterThanOrEqual(Math.floor(connectedAt / 1000) * 1000 + 2_000);

      agent.socket.close();
      await until(() => !c.hub.sessions.has(agentId), 5_000, 'the session to end');
      expect(await api()).toMatchObject({ connected: false, lastAckedSeq: 1, spool: { batches: 7 } });
      expect(await cli()).toMatchObject({ online: false, connectedAt: null, lastAckedSeq: 1, spool: { batches: 7 } });
    } finally {
      await c.close();
    }
  }, 30_000);
});
