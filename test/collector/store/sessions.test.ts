// The connection history, on each store backend: a session per admitted link, at most one open per agent, the
// sessions a killed collector left open ended at the agent's last sign of life (never at the restart), the range
// query the report and the overnight standard read, and the bounded table.
import { describe, expect, it } from 'vitest';
import { codeOf, HOUR, open, rawDatabase, T0, tempDbPath } from './helpers.js';

const MIN = 60_000;

function enrolled(file = tempDbPath()) {
  const store = open(file);
  store.tenants.add({ id: 'acme', name: 'Acme' });
  const { agentId } = store.agents.enroll({ tenant: 'acme', hostname: 'srv-01', os: 'linux', arch: 'x64', agentVersion: '1' });
  return { store, agentId, file };
}

describe('sessions', () => {
  it('opens at the admitted link and ends at its close; a close with none open changes nothing', () => {
    const { store, agentId } = enrolled();
    store.sessions.open(agentId, 'acme', T0);
    expect(store.sessions.overlapping(agentId, T0, T0 + HOUR)).toEqual([{ agentId, tenant: 'acme', connectedAt: T0, disconnectedAt: null, end: null }]);
    expect(store.sessions.close(agentId, T0 + 30 * MIN)).toBe(true);
    expect(store.sessions.close(agentId, T0 + 40 * MIN)).toBe(false);
    expect(store.sessions.overlapping(agentId, T0, T0 + HOUR)).toEqual([
      { agentId, tenant: 'acme', connectedAt: T0, disconnectedAt: T0 + 30 * MIN, end: 'disconnect' },
    ]);
  });

  it("with several collectors: each session names its collector, a late close from the old one leaves the new one open, and only the dead collectors' sessions end", () => {
    const { store, agentId } = enrolled();
    const other = store.agents.enroll({ tenant: 'acme', hostname: 'srv-02', os: 'linux', arch: 'x64', agentVersion: '1' }).agentId;
    store.agents.touch(agentId, { lastSeenAt: T0 + 5 * MIN });
    store.sessions.open(agentId, 'acme', T0, 'c_a');
    // The agent moved to c_b before c_a noticed its link had gone.
    store.sessions.open(agentId, 'acme', T0 + 10 * MIN, 'c_b');
    expect(store.sessions.close(agentId, T0 + 11 * MIN, 'disconnect', 'c_a')).toBe(false);
    store.sessions.open(other, 'acme', T0, 'c_dead');
    expect(store.sessions.held().sort((x, y) => x.agentId.localeCompare(y.agentId))).toEqual(
      [
        { agentId, collector: 'c_b' },
        { agentId: other, collector: 'c_dead' },
      ].sort((x, y) => x.agentId.localeCompare(y.agentId)),
    );
    expect(store.sessions.recover(T0 + HOUR, ['c_b'])).toBe(1);
    expect(store.sessions.held()).toEqual([{ agentId, collector: 'c_b' }]);
    expect(store.sessions.close(agentId, T0 + 2 * HOUR, 'disconnect', 'c_b')).toBe(true);
    expect(store.sessions.held()).toEqual([]);
  });

  it('a link admitted while the old one is open ends the old one there: never two open rows', () => {
    const { store, agentId, file } = enrolled();
    store.sessions.open(agentId, 'acme', T0);
    store.sessions.open(agentId, 'acme', T0 + 10 * MIN);
    const rows = store.sessions.overlapping(agentId, T0, T0 + HOUR);
    expect(rows.map((r) => [r.connectedAt, r.disconnectedAt, r.end])).toEqual([
      [T0, T0 + 10 * MIN, 'replaced'],
      [T0 + 10 * MIN, null, null],
    ]);
    // The schema itself refuses a second open row, whoever writes it.
    const db = rawDatabase(file);
    try {
      expect(() => db.prepare('INSERT INTO agent_sessions (agent_id, tenant, connected_at) VALUES (?, ?, ?)').run(agentId, 'acme', T0 + 20 * MIN)).toThrow(
        /UNIQUE|unique constraint/,
      );
    } finally {
      db.close();
    }
  });

  it('an end before the start (a clock step back) ends the session where it began', () => {
    const { store, agentId } = enrolled();
    store.sessions.open(agentId, 'acme', T0);
    store.sessions.close(agentId, T0 - 5 * MIN);
    expect(store.sessions.overlapping(agentId, T0 - HOUR, T0 + HOUR)[0]).toMatchObject({ connectedAt: T0, disconnectedAt: T0 });
  });

  it('at start ends what a killed collector left open at the agent last_seen_at, not at now, and records the history start once', () => {
    const { store, agentId, file } = enrolled();
    const other = store.agents.enroll({ tenant: 'acme', hostname: 'srv-02', os: 'linux', arch: 'x64', agentVersion: '1' }).agentId;
    expect(store.sessions.historyStart()).toBeNull();
    expect(store.sessions.recover(T0 - HOUR)).toBe(0);
    expect(store.sessions.historyStart()).toBe(T0 - HOUR);

    // The first collector: both agents connect, their last sign of life is recorded each heartbeat, then it dies.
    store.agents.touch(agentId, { lastSeenAt: T0, connectedAt: T0 });
    store.sessions.open(agentId, 'acme', T0);
    store.agents.recordLive([
      { agentId, live: { connectedAt: T0, lastSeenAt: T0 + 42 * MIN, lastBatchAt: null, lastAckAt: null, lastAckedSeq: null, spool: null } },
    ]);
    store.sessions.open(other, 'acme', T0 + 5 * MIN); // its Hello touch failed: no last_seen_at at all
    store.close();

    // The next collector starts three hours later.
    const again = open(file);
    expect(again.sessions.recover(T0 + 3 * HOUR)).toBe(2);
    expect(again.sessions.overlapping(agentId, T0, T0 + 4 * HOUR)).toEqual([
      { agentId, tenant: 'acme', connectedAt: T0, disconnectedAt: T0 + 42 * MIN, end: 'restart' },
    ]);
    expect(again.sessions.overlapping(other, T0, T0 + 4 * HOUR)[0]).toMatchObject({ disconnectedAt: T0 + 5 * MIN, end: 'restart' });
    expect(again.sessions.historyStart()).toBe(T0 - HOUR);
    expect(again.sessions.recover(T0 + 4 * HOUR)).toBe(0);
  });

  it('lists the sessions overlapping a range, oldest first, and prunes only ended rows older than the cut', () => {
    const { store, agentId } = enrolled();
    const spans: [number, number | null][] = [
      [T0, T0 + HOUR],
      [T0 + 2 * HOUR, T0 + 3 * HOUR],
      [T0 + 5 * HOUR, null],
    ];
    for (const [from, to] of spans) {
      store.sessions.open(agentId, 'acme', from);
      if (to !== null) store.sessions.close(agentId, to);
    }
    const between = (from: number, to: number) => store.sessions.overlapping(agentId, from, to).map((s) => s.connectedAt);
    expect(between(T0 + HOUR, T0 + 2 * HOUR)).toEqual([]); // touching ends do not overlap
    expect(between(T0 + 30 * MIN, T0 + 2 * HOUR + 1)).toEqual([T0, T0 + 2 * HOUR]);
    expect(between(T0 + 10 * HOUR, T0 + 11 * HOUR)).toEqual([T0 + 5 * HOUR]); // the open one reaches every later range
    expect(store.sessions.overlapping('ag_other', T0, T0 + 11 * HOUR)).toEqual([]);

    expect(store.sessions.prune(T0 + 3 * HOUR)).toBe(1);
    expect(between(T0 - HOUR, T0 + 11 * HOUR)).toEqual([T0 + 2 * HOUR, T0 + 5 * HOUR]);
    expect(store.sessions.prune(T0 + 100 * HOUR)).toBe(1);
    expect(between(T0 - HOUR, T0 + 11 * HOUR)).toEqual([T0 + 5 * HOUR]);
  });

  it('refuses a time that is not a number and an agent that does not exist', () => {
    const { store, agentId } = enrolled();
    expect(codeOf(() => store.sessions.open(agentId, 'acme', Number.NaN))).toBe('invalid_argument');
    expect(codeOf(() => store.sessions.open('ag_nobody', 'acme', T0))).toBe('other error');
    expect(store.sessions.overlapping(agentId, T0 - HOUR, T0 + HOUR)).toEqual([]);
  });
});
