// The hostname is bound at enrollment. An agent that says Hello with another host's name (the impersonation from
// the security test) writes under its own bound name, opens no ticket naming the victim, and renames nothing;
// what it reported is recorded and shown to the admin. Real collector, real WebSockets, the shipped disk rule.
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { watchpost } from '../../proto/index.js';
import { loadRules, parseRules } from '../../collector/src/alerting/rules/rules-file.js';
import { ADMIN_KEY, RecordingSink, startCollector, type TestCollector } from '../helpers/collector.js';
import { hello, openAgent, type TestAgent } from '../helpers/agent-client.js';

const RULES = parseRules('rules: [ { id: disk_space, for: 0s } ]', 'test-rules.yaml', loadRules());
const sink = new RecordingSink();
const logs = new PassThrough();
const logged: { msg: string; agentId?: string; host?: string; reportedHostname?: string }[] = [];
logs.on('data', (chunk: Buffer) => {
  for (const line of chunk.toString().split('\n').filter(Boolean)) logged.push(JSON.parse(line));
});
let c: TestCollector;
beforeAll(async () => {
  c = await startCollector({ sink, logStream: logs, rules: () => RULES });
});
afterAll(async () => c.close());

const api = (url: string) => c.app.inject({ url, headers: { authorization: `Bearer ${ADMIN_KEY}` } });

async function connect(credential: string, reportedHostname: string): Promise<TestAgent> {
  const agent = await openAgent(c.wsUrl, credential);
  agent.send({ hello: { ...hello().hello!, hostname: reportedHostname } });
  await agent.next((e) => e.msg === 'welcome');
  return agent;
}

const diskBatch = (seq: number, usedPercent: number): watchpost.v1.IEnvelope => ({
  batch: {
    seq,
    samples: [{ measurement: 'disk', timeMs: Date.now(), tags: [{ key: 'path', value: 'C:' }], fields: [{ key: 'used_percent', float: usedPercent }] }],
  },
});

describe('a Hello cannot move an agent to another host', () => {
  it("an agent saying Hello as the victim writes under its own name; no ticket names the victim; the victim's record is untouched", async () => {
    const victim = c.enroll('acme', 'FILESRV01');
    const victimAgent = await connect(victim.credential, 'FILESRV01');
    const attacker = c.enroll('acme', 'RECEPTION-PC');
    const agent = await connect(attacker.credential, 'FILESRV01');

    agent.send(diskBatch(1, 97.5));
    await agent.next((e) => e.ack?.seq === 1);

    const lines = sink.lines.flat().filter((l) => l.startsWith('disk,'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^disk,host=RECEPTION-PC,path=C:,tenant=acme used_percent=97\.5 \d+$/);
    expect(sink.lines.flat().some((l) => l.includes('host=FILESRV01'))).toBe(false);

    const tickets = (await api('/api/v1/tickets?status=open')).json() as { tickets: { host: string; summary?: string; title?: string }[] };
    expect(tickets.tickets.map((t) => t.host)).toEqual(['RECEPTION-PC']);
    expect(JSON.stringify(tickets.tickets)).not.toContain('FILESRV01');

    expect(c.store.agents.get(victim.agentId)).toMatchObject({ hostname: 'FILESRV01', reportedHostname: null });
    expect(c.store.agents.get(attacker.agentId)).toMatchObject({ hostname: 'RECEPTION-PC', reportedHostname: 'FILESRV01' });
    const listed = (await api('/api/v1/agents')).json() as { agents: { agentId: string; hostname: string; reportedHostname: string | null }[] };
    expect(listed.agents.find((a) => a.agentId === attacker.agentId)).toMatchObject({ hostname: 'RECEPTION-PC', reportedHostname: 'FILESRV01' });
    expect(logged.some((l) => l.agentId === attacker.agentId && l.reportedHostname === 'FILESRV01' && l.host === 'RECEPTION-PC')).toBe(true);
    agent.socket.close();
    victimAgent.socket.close();
  });

  it('a Hello that agrees with the bound name (in any case) clears an earlier mismatch', async () => {
    const { agentId, credential } = c.enroll('acme', 'WS-07');
    const first = await connect(credential, 'ws-07.corp.example.com');
    first.socket.close();
    await first.closed;
    expect(c.store.agents.get(agentId)?.reportedHostname).toBe('ws-07.corp.example.com');
    const second = await connect(credential, 'ws-07');
    second.socket.close();
    await second.closed;
    expect(c.store.agents.get(agentId)).toMatchObject({ hostname: 'WS-07', reportedHostname: null });
  });
});
