// The agent WebSocket against a real server and real sockets: authentication at the upgrade, Hello/Welcome,
// acks only after the write, no ack while the sink cannot store, and bad frames closing only their connection.
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { wire } from '../../../proto/index.js';
import { useCollector } from '../../helpers/collector.js';
import { cpuBatch, hello, openAgent } from '../../helpers/agent-client.js';
import { CLOSE } from '../../../collector/src/errors.js';

const { collector: current, sink } = useCollector();

const rejections = async (reason: string): Promise<number> => {
  const metric = await current().metrics.rejections.get();
  return metric.values.find((v) => v.labels.reason === reason)?.value ?? 0;
};

describe('agent WebSocket /agent/v1', () => {
  it('refuses a bad credential with 401 before any WebSocket exists, and counts it', async () => {
    const before = await rejections('unauthorized');
    const { agentId } = current().enroll();
    await expect(openAgent(current().wsUrl, `wpa_${agentId}.not-the-secret`)).rejects.toMatchObject({ statusCode: 401 });
    await expect(openAgent(current().wsUrl, 'garbage')).rejects.toMatchObject({ statusCode: 401 });
    expect(await rejections('unauthorized')).toBe(before + 2);
  });

  it('refuses a revoked agent', async () => {
    const { agentId, credential } = current().enroll();
    current().store.agents.revoke(agentId);
    await expect(openAgent(current().wsUrl, credential)).rejects.toMatchObject({ statusCode: 401 });
  });

  it('refuses an upgrade without a protocol version it speaks', async () => {
    const { credential } = current().enroll();
    await expect(openAgent(current().wsUrl, credential, ['watchpost.v99'])).rejects.toMatchObject({ statusCode: 400 });
  });

  it('answers Hello with Welcome naming the agent and its tenant', async () => {
    const { agentId, credential } = current().enroll();
    const agent = await openAgent(current().wsUrl, credential);
    agent.send(hello());
    const welcome = await agent.next((e) => e.msg === 'welcome');
    expect(welcome.welcome).toMatchObject({ agentId, tenant: 'acme', lastAckedSeq: 0 });
    expect(current().hub.sessions.has(agentId)).toBe(true);
    agent.socket.close();
    await agent.closed;
  });

  it('acks a batch after its points were written, tagged with the authenticated host and tenant', async () => {
    const { credential, hostname } = current().enroll();
    const agent = await openAgent(current().wsUrl, credential);
    agent.send(hello());
    await agent.next((e) => e.msg === 'welcome');
    const writesBefore = sink.lines.length;
    const batch = cpuBatch(1);
    batch.batch!.samples![0]!.tags!.push({ key: 'tenant', value: 'someone-else' });
    agent.send(batch);
    const ack = await agent.next((e) => e.msg === 'ack');
    expect(ack.ack!.seq).toBe(1);
    expect(sink.lines.length).toBe(writesBefore + 1);
    const line = sink.lines.at(-1)![0]!;
    expect(line).toMatch(new RegExp(`^cpu,cpu=cpu-total,host=${hostname},tenant=acme usage_idle=90.01 \\d+$`));
    agent.socket.close();
  });

  it('does not ack while the sink cannot store, and says so; the replayed batch is acked once it can', async () => {
    const { credential } = current().enroll();
    const agent = await openAgent(current().wsUrl, credential);
    agent.send(hello());
    await agent.next((e) => e.msg === 'welcome');
    sink.result = { ok: false, retryable: true, reason: 'influxdb unreachable' };
    try {
      agent.send(cpuBatch(7));
      const error = await agent.next((e) => e.msg === 'error');
      expect(error.error).toMatchObject({ code: wire.ErrorCode.ERROR_CODE_UNAVAILABLE, seq: 7 });
      const health = await fetch(`${current().baseUrl}/healthz`);
      expect(health.status).toBe(503);
      expect(await health.json()).toMatchObject({ status: 'unhealthy', checks: { influxdb: 'unavailable: influxdb unreachable' } });
    } finally {
      sink.result = { ok: true };
    }
    expect(agent.frames.some((e) => e.msg === 'ack')).toBe(false);
    agent.send(cpuBatch(7));
    expect((await agent.next((e) => e.msg === 'ack')).ack!.seq).toBe(7);
    agent.socket.close();
  });

  it('closes only the connection that sent a malformed frame, with a reason; others keep working', async () => {
    const good = await openAgent(current().wsUrl, current().enroll().credential);
    good.send(hello());
    await good.next((e) => e.msg === 'welcome');
    const bad = await openAgent(current().wsUrl, current().enroll().credential);
    bad.send(hello());
    await bad.next((e) => e.msg === 'welcome');
    const before = await rejections('bad_frame');
    bad.socket.send(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]));
    expect(await bad.closed).toMatchObject({ code: CLOSE.invalidPayload, reason: expect.stringContaining('undecodable frame') });
    expect(await rejections('bad_frame')).toBe(before + 1);
    good.send(cpuBatch(3));
    expect((await good.next((e) => e.msg === 'ack')).ack!.seq).toBe(3);
    good.socket.close();
  });

  it.each([
    ['a text frame', (s: WebSocket) => s.send('hello'), CLOSE.unsupportedData],
    ['a batch before Hello', (s: WebSocket) => s.send(wire.Envelope.encode(cpuBatch(1)).finish()), CLOSE.policyViolation],
    ['an unsupported protocol version', (s: WebSocket) => s.send(wire.Envelope.encode({ hello: { protocolVersion: 99 } }).finish()), CLOSE.unsupportedVersion],
  ])('closes on %s with its code', async (_what, send, code) => {
    const agent = await openAgent(current().wsUrl, current().enroll().credential);
    send(agent.socket);
    expect((await agent.closed).code).toBe(code);
  });

  it('refuses a frame over the payload limit', async () => {
    const agent = await openAgent(current().wsUrl, current().enroll().credential);
    agent.socket.send(Buffer.alloc(current().config.agents.maxPayloadBytes + 1));
    expect((await agent.closed).code).toBe(CLOSE.tooBig);
  });

  it('closes the older connection when the same agent connects again', async () => {
    const { credential } = current().enroll();
    const first = await openAgent(current().wsUrl, credential);
    first.send(hello());
    await first.next((e) => e.msg === 'welcome');
    const second = await openAgent(current().wsUrl, credential);
    second.send(hello());
    await second.next((e) => e.msg === 'welcome');
    expect((await first.closed).code).toBe(CLOSE.replaced);
    second.socket.close();
  });
});
