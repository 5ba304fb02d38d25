// Revocation over real sockets: the admin API disconnects at once, the CLI (another process on the same SQLite
// file) within the revocation poll, and an agent revoked between its upgrade and its Hello never goes live.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ADMIN_KEY, useCollector } from '../../helpers/collector.js';
import { hello, openAgent, type TestAgent } from '../../helpers/agent-client.js';
import { CLOSE } from '../../../collector/src/errors.js';
import { until } from '../../helpers/until.js';

const exec = promisify(execFile);
const { collector: current } = useCollector();

const rejections = async (reason: string): Promise<number> =>
  (await current().metrics.rejections.get()).values.find((v) => v.labels.reason === reason)?.value ?? 0;

async function liveAgent(): Promise<{ agentId: string; credential: string; agent: TestAgent }> {
  const { agentId, credential } = current().enroll();
  const agent = await openAgent(current().wsUrl, credential);
  agent.send(hello());
  await agent.next((e) => e.msg === 'welcome');
  return { agentId, credential, agent };
}

/** Resolves with the close, or fails saying it never came (the bound is generous; nothing asserts on speed). */
const closedWithin = (agent: TestAgent, ms: number) =>
  Promise.race([agent.closed, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`agent not closed within ${ms} ms`)), ms))]);

describe('agent revocation', () => {
  it('POST /api/v1/agents/:id/revoke disconnects the live agent with 4004, and its reconnect gets 401', async () => {
    const { agentId, credential, agent } = await liveAgent();
    const before = await rejections('revoked');
    const res = await fetch(`${current().baseUrl}/api/v1/agents/${agentId}/revoke`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ agentId, revoked: true, disconnected: true });
    expect(await agent.closed).toEqual({ code: CLOSE.revoked, reason: 'credential revoked' });
    expect(await rejections('revoked')).toBe(before + 1);
    await until(() => !current().hub.sessions.has(agentId), 10_000, 'the session to be forgotten');
    await expect(openAgent(current().wsUrl, credential)).rejects.toMatchObject({ statusCode: 401 });
    const list = await current().app.inject({ url: '/api/v1/agents', headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    expect(list.json().agents.find((a: { agentId: string }) => a.agentId === agentId)).toMatchObject({ revoked: true, connected: false });
  });

  it('answers 404 for an unknown agent and 401 without the admin key', async () => {
    const unknown = await current().app.inject({ method: 'POST', url: '/api/v1/agents/ag_nope/revoke', headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: 'agent_unknown' });
    const { agentId } = current().enroll();
    const anonymous = await current().app.inject({ method: 'POST', url: `/api/v1/agents/${agentId}/revoke` });
    expect(anonymous.statusCode).toBe(401);
    expect(current().store.agents.get(agentId)?.revokedAt).toBeNull();
  });

  it('`agent revoke ID` in another process disconnects the agent served here', async () => {
    const { agentId, agent } = await liveAgent();
    const cli = await exec(process.execPath, ['--import', 'tsx', 'collector/src/bin.ts', 'agent', 'revoke', agentId], {
      env: { ...process.env, WATCHPOST_DATA_DIR: current().dataDir },
    });
    expect(cli.stdout).toBe(`agent ${agentId} revoked\n`);
    expect(await closedWithin(agent, 15_000)).toEqual({ code: CLOSE.revoked, reason: 'credential revoked' });
  });

  it('closes at Hello an agent revoked after its upgrade was accepted', async () => {
    const { agentId, credential } = current().enroll();
    const agent = await openAgent(current().wsUrl, credential);
    current().store.agents.revoke(agentId);
    agent.send(hello());
    expect((await agent.closed).code).toBe(CLOSE.revoked);
    expect(agent.frames.some((e) => e.msg === 'welcome')).toBe(false);
  });
});
