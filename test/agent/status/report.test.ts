// What the running agent reports about its link: status.json's fields (statusOf) and the `agent` measurement
// (selfSample), from the link's state.
import { describe, expect, it } from 'vitest';
import { selfSample, statusOf } from '../../../agent/src/status/report.js';
import type { LinkState } from '../../../agent/src/delivery/link.js';
import { MemorySpool } from '../../../agent/src/delivery/spool/memory.js';
import { Int } from '../../../agent/src/sample.js';
import type { Identity } from '../../../agent/src/identity/state.js';

const identity: Identity = {
  server: 'http://collector.example.net:8420',
  agentId: 'agent-1',
  tenant: 'acme',
  credential: 'wpa_agent-1.secret',
  enrolledAt: '2024-05-01T09:00:00.000Z',
};
const at = Date.parse('2024-05-01T10:00:00.000Z');

const link = (overrides: Partial<LinkState> = {}): LinkState => ({
  connected: true,
  lastConnectedAt: at,
  lastAckAt: at,
  lastError: null,
  lastRejection: null,
  reconnectAttempt: 0,
  nextRetryAt: null,
  pointsAcked: 7,
  pointsRejected: 3,
  ...overrides,
});
const opened = () => ({ spool: new MemorySpool(), kind: 'memory' as const, error: 'test' });

describe('statusOf', () => {
  it('carries the last error the collector answered and the last refused samples, with an ISO time', () => {
    const status = statusOf(
      identity,
      link({
        lastError: 'collector: cannot store now: InfluxDB unreachable',
        lastRejection: { at, seq: 17, points: 3, reason: 'measurement "x" is outside the agent namespace' },
      }),
      opened(),
      10,
      at,
    );
    expect(status).toMatchObject({
      connected: true,
      lastError: 'collector: cannot store now: InfluxDB unreachable',
      lastRejection: { at: '2024-05-01T10:00:00.000Z', seq: 17, points: 3, reason: 'measurement "x" is outside the agent namespace' },
      counters: { pointsProduced: 10, pointsAcked: 7, pointsRejected: 3 },
    });
  });

  it('says null when nothing was refused', () => {
    expect(statusOf(identity, link(), opened(), 10, at).lastRejection).toBeNull();
  });
});

describe('the agent measurement', () => {
  it('reports acked and rejected points as integers', () => {
    const { fields } = selfSample(statusOf(identity, link(), opened(), 10, at));
    expect(fields.points_acked).toBeInstanceOf(Int);
    expect(fields.points_rejected).toBeInstanceOf(Int);
    expect(JSON.parse(JSON.stringify(fields))).toMatchObject({ points_produced: 10, points_acked: 7, points_rejected: 3 });
  });
});
