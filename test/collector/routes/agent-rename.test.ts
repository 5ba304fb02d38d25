// The admin's rename: POST /api/v1/agents/:id/rename on the real app (a live session writes under the new name at
// once) and `watchpost-collector agent rename ID NAME` as a process; both refuse a taken or invalid name.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, RecordingSink, startCollector, type TestCollector } from '../../helpers/collector.js';
import { collectorCli } from '../../helpers/collector-cli.js';
import { cpuBatch, hello, openAgent } from '../../helpers/agent-client.js';

const sink = new RecordingSink();
let c: TestCollector;
beforeAll(async () => {
  c = await startCollector({ sink });
});
afterAll(async () => c.close());

const rename = (agentId: string, payload: object, authorization = `Bearer ${ADMIN_KEY}`) =>
  c.app.inject({ method: 'POST', url: `/api/v1/agents/${agentId}/rename`, headers: { authorization }, payload });

describe('POST /api/v1/agents/:id/rename', () => {
  it('binds the new name; the live session tags its next points with it', async () => {
    const { agentId, credential } = c.enroll('acme', 'DESKTOP-7QK2M1B');
    const agent = await openAgent(c.wsUrl, credential);
    agent.send({ hello: { ...hello().hello!, hostname: 'DESKTOP-7QK2M1B' } });
    await agent.next((e) => e.msg === 'welcome');
    const res = await rename(agentId, { hostname: 'ACCOUNTS-PC' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ agentId, hostname: 'ACCOUNTS-PC', connected: true });
    agent.send(cpuBatch(1));
    await agent.next((e) => e.ack?.seq === 1);
    expect(sink.lines.at(-1)![0]).toMatch(/^cpu,cpu=cpu-total,host=ACCOUNTS-PC,tenant=acme /);
    expect(c.store.agents.get(agentId)).toMatchObject({ hostname: 'ACCOUNTS-PC', reportedHostname: null });
    agent.socket.close();
  });

  it('answers 409 naming the holder for a taken name, 400 for an invalid one, 404 for an unknown agent, 401 without a key', async () => {
    const holder = c.enroll('acme', 'SRV-DC01');
    const { agentId } = c.enroll();
    const taken = await rename(agentId, { hostname: 'srv-dc01' });
    expect(taken.statusCode).toBe(409);
    expect(taken.json()).toEqual({
      error: 'hostname_taken',
      message: `hostname srv-dc01 is already bound to agent ${holder.agentId} of tenant acme: revoke that agent or rename one of them`,
    });
    expect((await rename(agentId, { hostname: 'srv\ndc02' })).json()).toEqual({
      error: 'invalid_argument',
      message: 'agent hostname must not contain a control or format character (U+000A)',
    });
    expect((await rename('ag_nope', { hostname: 'srv-dc02' })).statusCode).toBe(404);
    expect((await rename(agentId, { hostname: 'srv-dc02' }, 'Bearer wrong')).statusCode).toBe(401);
    expect(c.store.agents.get(agentId)?.hostname).toMatch(/^test-host-\d+$/);
  });
});

describe('watchpost-collector agent rename', () => {
  it('renames in the store, and exits 1 with the reason for a taken name', async () => {
    const env = { WATCHPOST_DATA_DIR: c.dataDir };
    const { agentId } = c.enroll('acme', 'OLD-NAME');
    c.enroll('acme', 'TAKEN-NAME');
    expect(await collectorCli(['agent', 'rename', agentId, 'NEW-NAME'], env)).toMatchObject({ code: 0, stdout: `agent ${agentId} renamed to NEW-NAME\n` });
    expect(c.store.agents.get(agentId)?.hostname).toBe('NEW-NAME');
    const taken = await collectorCli(['agent', 'rename', agentId, 'taken-name'], env);
    expect(taken).toMatchObject({ code: 1, stderr: expect.stringContaining('hostname taken-name is already bound to agent') });
    expect(await collectorCli(['agent', 'rename', agentId], env)).toMatchObject({ code: 2 });
    expect((await collectorCli(['agents'], env)).stdout).toMatch(new RegExp(`${agentId} +acme +NEW-NAME `));
  }, 60_000);
});
