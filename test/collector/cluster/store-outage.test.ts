// A collector on a PostgreSQL store that goes away and comes back: meanwhile /healthz answers 503 (a balancer
// sends agents elsewhere) and agents' batches are answered UNAVAILABLE, kept by the agent, nothing evaluated or
// written; once PostgreSQL is back the collector finds it by itself and acks again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wire } from '../../../proto/index.js';
import { startPostgres, type Postgres } from '../../../scripts/lib/postgres.js';
import { cpuBatch, hello, openAgent } from '../../helpers/agent-client.js';
import { RecordingSink, startCollector, type TestCollector } from '../../helpers/collector.js';
import { until } from '../../helpers/until.js';

let server: Postgres;
let collector: TestCollector;
const sink = new RecordingSink();

beforeAll(async () => {
  server = await startPostgres();
  const url = await server.createDatabase('outage');
  collector = await startCollector({ sink, env: { WATCHPOST_STORE_URL: url } });
});
afterAll(async () => {
  await collector?.close().catch(() => undefined);
  await server?.destroy();
});

const health = async () => {
  const response = await fetch(`${collector.baseUrl}/healthz`);
  return { status: response.status, body: (await response.json()) as { checks: Record<string, string> } };
};

describe('PostgreSQL store down and back', () => {
  it('answers UNAVAILABLE and 503 while it is down, and acks again by itself once it is back', async () => {
    expect(collector.store.backend).toBe('postgres');
    const { credential } = collector.enroll();
    const agent = await openAgent(collector.wsUrl, credential);
    agent.send(hello());
    await agent.next((e) => e.welcome != null);
    agent.send(cpuBatch(1));
    expect((await agent.next((e) => e.ack?.seq === 1)).ack?.seq).toBe(1);
    expect((await health()).status).toBe(200);

    await server.stop();
    // The balancer's next health check finds the store gone.
    const down = await health();
    expect(down.status).toBe(503);
    expect(down.body.checks.store).toMatch(/unavailable/);
    const written = sink.lines.length;
    agent.send(cpuBatch(2));
    const refused = await agent.next((e) => e.error?.seq === 2);
    expect(refused.error?.code).toBe(wire.ErrorCode.ERROR_CODE_UNAVAILABLE);
    expect(refused.error?.message).toMatch(/state store is unavailable/);
    expect(sink.lines.length).toBe(written);

    await server.start();
    await until(async () => (await health()).status === 200, 10_000, '/healthz 200 again');
    agent.send(cpuBatch(2));
    const acked = await agent.next((e) => e.ack?.seq === 2);
    expect(acked.ack?.seq).toBe(2);
    expect(sink.lines.length).toBeGreaterThan(written);
    agent.socket.close();
  });
});
