// The live state the serving collector records for other processes (the CLI): connected at Hello, rewritten each
// heartbeat, cleared at disconnect; and how a reader tells a live agent from a collector that stopped.
import { describe, expect, it } from 'vitest';
import { recordedOnline, type AgentLive } from '../../../collector/src/store/index.js';
import { codeOf, open, tempDbPath, T0 } from './helpers.js';

const HEARTBEAT = 30_000;

function enrolled() {
  const store = open(tempDbPath());
  store.tenants.add({ id: 'acme', name: 'Acme' });
  const { agentId } = store.agents.enroll({ tenant: 'acme', hostname: 'ws-01', os: 'linux', arch: 'x64', agentVersion: '1' });
  return { store, agentId };
}

const live = (over: Partial<AgentLive> = {}): AgentLive => ({
  connectedAt: T0,
  lastSeenAt: T0,
  lastBatchAt: null,
  lastAckAt: null,
  lastAckedSeq: null,
  spool: null,
  ...over,
});

describe('agents: live state', () => {
  it('starts empty, records a Hello, each heartbeat and the disconnect; null keeps what was recorded', () => {
    const { store, agentId } = enrolled();
    expect(store.agents.get(agentId)).toMatchObject({ connectedAt: null, lastSeenAt: null, lastBatchAt: null, lastAckAt: null, spool: null, lastAckedSeq: 0 });
    store.agents.touch(agentId, { lastSeenAt: T0, connectedAt: T0 });
    expect(store.agents.get(agentId)).toMatchObject({ connectedAt: T0, lastSeenAt: T0 });

    const spool = { batches: 12, bytes: 4096, reportedAt: T0 + 50_000 };
    store.agents.recordLive([{ agentId, live: live({ lastSeenAt: T0 + 60_000, lastBatchAt: T0 + 55_000, lastAckAt: T0 + 56_000, lastAckedSeq: 9, spool }) }]);
    expect(store.agents.get(agentId)).toMatchObject({
      connectedAt: T0,
      lastSeenAt: T0 + 60_000,
      lastBatchAt: T0 + 55_000,
      lastAckAt: T0 + 56_000,
      lastAckedSeq: 9,
      spool,
    });

    // A new connection that has sent nothing yet keeps the earlier batch, ack, seq and spool.
    store.agents.recordLive([{ agentId, live: live({ connectedAt: T0 + 90_000, lastSeenAt: T0 + 90_000 }) }]);
    expect(store.agents.get(agentId)).toMatchObject({ connectedAt: T0 + 90_000, lastBatchAt: T0 + 55_000, lastAckedSeq: 9, spool });

    store.agents.recordLive([
      { agentId, live: live({ connectedAt: null, lastSeenAt: T0 + 95_000, spool: { batches: 0, bytes: null, reportedAt: T0 + 94_000 } }) },
    ]);
    expect(store.agents.get(agentId)).toMatchObject({
      connectedAt: null,
      lastSeenAt: T0 + 95_000,
      spool: { batches: 0, bytes: null, reportedAt: T0 + 94_000 },
    });
  });

  it('writes a whole fleet in one call, skips unknown ids, and refuses bad values writing nothing', () => {
    const { store, agentId } = enrolled();
    const other = store.agents.enroll({ tenant: 'acme', hostname: 'ws-02', os: 'linux', arch: 'x64', agentVersion: '1' }).agentId;
    store.agents.recordLive([
      { agentId, live: live({ lastSeenAt: T0 + 1 }) },
      { agentId: 'ag_gone', live: live() },
      { agentId: other, live: live({ lastSeenAt: T0 + 2 }) },
    ]);
    expect([store.agents.get(agentId)?.lastSeenAt, store.agents.get(other)?.lastSeenAt]).toEqual([T0 + 1, T0 + 2]);
    const bad = [
      live({ lastSeenAt: 1.5 }),
      live({ lastAckedSeq: -1 }),
      live({ spool: { batches: -3, bytes: null, reportedAt: T0 } }),
      live({ spool: { batches: 1, bytes: 2.5, reportedAt: T0 } }),
    ];
    for (const b of bad)
      expect(
        codeOf(() =>
          store.agents.recordLive([
            { agentId: other, live: live() },
            { agentId, live: b },
          ]),
        ),
      ).toBe('invalid_argument');
    expect(store.agents.get(other)?.lastSeenAt).toBe(T0 + 2);
  });

  it('reads online only from a recorded connection kept fresh: a stopped collector leaves its agents offline', () => {
    const agent = { connectedAt: T0, lastSeenAt: T0, revokedAt: null };
    expect(recordedOnline(agent, T0 + 3 * HEARTBEAT, HEARTBEAT)).toBe(true);
    expect(recordedOnline(agent, T0 + 3 * HEARTBEAT + 1, HEARTBEAT)).toBe(false);
    expect(recordedOnline({ ...agent, connectedAt: null }, T0, HEARTBEAT)).toBe(false);
    expect(recordedOnline({ ...agent, revokedAt: T0 }, T0, HEARTBEAT)).toBe(false);
    expect(recordedOnline({ ...agent, lastSeenAt: null }, T0, HEARTBEAT)).toBe(false);
  });
});
