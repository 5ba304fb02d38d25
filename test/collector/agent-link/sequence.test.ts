// Sequence numbers over real sockets: replays, backward jumps and in-flight repeats are written again and acked
// (never skipped), each noted at debug; seq 0 is refused.
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wire } from '../../../proto/index.js';
import { startCollector, type TestCollector } from '../../helpers/collector.js';
import { cpuBatch, hello, openAgent, type TestAgent } from '../../helpers/agent-client.js';
import type { PointSink, WriteResult } from '../../../collector/src/influx/writer-contract.js';
import { until } from '../../helpers/until.js';

/** Holds every write until the test releases it, so batches can be kept in flight. */
class GatedSink implements PointSink {
  writes: string[][] = [];
  held = false;
  private waiting: (() => void)[] = [];
  write(lines: string[]): Promise<WriteResult> {
    this.writes.push(lines);
    if (!this.held) return Promise.resolve({ ok: true });
    return new Promise((resolve) => this.waiting.push(() => resolve({ ok: true })));
  }
  release(): void {
    this.held = false;
    for (const go of this.waiting.splice(0)) go();
  }
  get pending(): number {
    return this.waiting.length;
  }
  status() {
    return { healthy: true };
  }
}

const sink = new GatedSink();
const logs = new PassThrough();
const lines: { msg: string; seq?: number; agentId?: string }[] = [];
logs.on('data', (chunk: Buffer) => {
  for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
});
let c: TestCollector;
beforeAll(async () => {
  c = await startCollector({ sink, logStream: logs });
});
afterAll(async () => c.close());

async function connect(credential: string): Promise<TestAgent> {
  const agent = await openAgent(c.wsUrl, credential);
  agent.send(hello());
  await agent.next((e) => e.msg === 'welcome');
  return agent;
}
const acks = (agent: TestAgent) => agent.frames.filter((e) => e.msg === 'ack').map((e) => e.ack!.seq);
const logged = (agentId: string, what: string) => lines.filter((l) => l.agentId === agentId && l.msg.includes(what)).map((l) => l.seq);

describe('batch sequence numbers', () => {
  it('writes and acks a replay after a reconnect (seq at or below the last ack)', async () => {
    const { agentId, credential } = c.enroll();
    const first = await connect(credential);
    first.send(cpuBatch(1));
    first.send(cpuBatch(2));
    await first.next((e) => e.msg === 'ack' && e.ack!.seq === 2);
    first.socket.close();
    await first.closed;
    const second = await connect(credential);
    const writes = sink.writes.length;
    second.send(cpuBatch(2));
    expect((await second.next((e) => e.msg === 'ack')).ack!.seq).toBe(2);
    expect(sink.writes.length).toBe(writes + 1);
    expect(logged(agentId, 'replayed batch')).toEqual([2]);
    second.socket.close();
  });

  it('writes and acks a seq that goes backwards within one connection (the higher one still in flight)', async () => {
    const { agentId, credential } = c.enroll();
    const agent = await connect(credential);
    agent.send(cpuBatch(5));
    await agent.next((e) => e.msg === 'ack' && e.ack!.seq === 5);
    sink.held = true;
    agent.send(cpuBatch(9));
    await until(() => sink.pending === 1, 5_000, 'seq 9 to reach the sink');
    agent.send(cpuBatch(7));
    await until(() => sink.pending === 2, 5_000, 'seq 7 to reach the sink');
    sink.release();
    await until(() => acks(agent).length === 3, 5_000, 'three acks');
    expect(acks(agent).sort()).toEqual([5, 7, 9]);
    expect(logged(agentId, 'went backwards')).toEqual([7]);
    expect(logged(agentId, 'replayed batch')).toEqual([]);
    agent.socket.close();
  });

  it('writes and acks a seq repeated while its first copy is still being written', async () => {
    const { agentId, credential } = c.enroll();
    const agent = await connect(credential);
    sink.held = true;
    const writes = sink.writes.length;
    agent.send(cpuBatch(3));
    agent.send(cpuBatch(3));
    await until(() => sink.pending === 2, 5_000, 'both copies to reach the sink');
    expect(acks(agent)).toEqual([]);
    sink.release();
    await until(() => acks(agent).length === 2, 5_000, 'two acks');
    expect(acks(agent)).toEqual([3, 3]);
    expect(sink.writes.length).toBe(writes + 2);
    expect(logged(agentId, 'repeated while in flight')).toEqual([3]);
    agent.socket.close();
  });

  it('writes and acks seq -1 sent as uint32 (4294967295) but never records it as the last acked seq', async () => {
    const { agentId, credential } = c.enroll();
    const first = await connect(credential);
    first.send(cpuBatch(41));
    await first.next((e) => e.ack?.seq === 41);
    const writes = sink.writes.length;
    first.send(cpuBatch(-1));
    expect((await first.next((e) => e.ack?.seq === 4_294_967_295)).ack!.seq).toBe(4_294_967_295);
    expect(sink.writes.length).toBe(writes + 1);
    first.socket.close();
    await first.closed;
    await until(() => !c.hub.sessions.has(agentId), 5_000, 'the session to end');
    expect(c.store.agents.get(agentId)?.lastAckedSeq).toBe(41);
    const second = await openAgent(c.wsUrl, credential);
    second.send(hello());
    expect((await second.next((e) => e.msg === 'welcome')).welcome!.lastAckedSeq).toBe(41);
    second.socket.close();
  });

  it("records the latest connection's highest ack, so a stale high value does not stay forever", async () => {
    const { agentId, credential } = c.enroll();
    c.store.agents.setLastAckedSeq(agentId, 2_000_000_000); // from before, e.g. a counter the agent has since lost
    const agent = await connect(credential);
    agent.send(cpuBatch(2));
    agent.send(cpuBatch(3));
    await agent.next((e) => e.ack?.seq === 3);
    agent.socket.close();
    await until(() => !c.hub.sessions.has(agentId), 5_000, 'the session to end');
    expect(c.store.agents.get(agentId)?.lastAckedSeq).toBe(3);
  });

  it('refuses seq 0 with Error BAD_BATCH, writing nothing, and keeps the connection', async () => {
    const { credential } = c.enroll();
    const agent = await connect(credential);
    const writes = sink.writes.length;
    agent.send(cpuBatch(0));
    expect((await agent.next((e) => e.msg === 'error')).error!.code).toBe(wire.ErrorCode.ERROR_CODE_BAD_BATCH);
    expect(sink.writes.length).toBe(writes);
    agent.send(cpuBatch(1));
    expect((await agent.next((e) => e.msg === 'ack')).ack!.seq).toBe(1);
    agent.socket.close();
  });
});
