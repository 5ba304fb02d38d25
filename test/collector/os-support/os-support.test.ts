// os_support end to end: an agent sends an inventory point over the real WebSocket; the collector writes an
// os_support point with it and GET /api/v1/agents shows the status from the real SQLite store.
import { describe, expect, it } from 'vitest';
import type { watchpost } from '../../../proto/index.js';
import { identityFromSample, osSupportSample } from '../../../collector/src/os-support/os-support.js';
import { ADMIN_KEY, useCollector } from '../../helpers/collector.js';
import { hello, openAgent } from '../../helpers/agent-client.js';

const inventory = (timeMs: number, fields: Record<string, string>): watchpost.v1.ISample => ({
  measurement: 'inventory',
  timeMs,
  tags: [],
  fields: Object.entries(fields).map(([key, str]) => ({ key, str })),
});

const WIN10 = {
  os_family: 'windows',
  os_name: 'Windows 10 Pro',
  os_version: '10.0.19045',
  os_build: '19045',
  os_edition: 'Professional',
  os_product_type: 'workstation',
};

describe('os_support', () => {
  it('is derived from inventory only, and only with an OS family', () => {
    expect(identityFromSample(inventory(1, WIN10))).toMatchObject({ family: 'windows', build: '19045', edition: 'Professional' });
    expect(identityFromSample(inventory(1, { os_name: 'x' }))).toBeNull();
    expect(identityFromSample({ measurement: 'cpu', fields: [{ key: 'os_family', str: 'linux' }] })).toBeNull();
    const unknown = osSupportSample(
      { family: 'linux', name: 'Alpine', version: '3' },
      { supported: 'unknown', endOfSupport: null, daysLeft: null, release: null },
      5,
    );
    expect(unknown.fields?.map((f) => f.key)).toEqual(['status', 'os_name', 'os_version']);
  });

  const { collector, sink } = useCollector();

  it('is written with the inventory batch and shown per agent by the API', async () => {
    const c = collector();
    const { agentId, credential, hostname } = c.enroll();
    const agent = await openAgent(c.wsUrl, credential);
    agent.send(hello());
    await agent.next((e) => e.msg === 'welcome');
    const t = Date.UTC(2025, 9, 15, 8, 0, 0); // the day after Windows 10's end of support
    agent.send({ batch: { seq: 1, samples: [inventory(t, WIN10)] } });
    await agent.next((e) => e.msg === 'ack' && e.ack?.seq === 1);
    const lines = sink.lines.flat();
    const point = lines.find((l) => l.startsWith('os_support,'));
    expect(point).toBe(
      `os_support,host=${hostname},tenant=acme status="unsupported",os_name="Windows 10 Pro",os_version="10.0.19045",supported=false,release="Windows 10 22H2",end_of_support=${Date.UTC(2025, 9, 14) / 1000}i,days_left=-1i ${t}`,
    );
    expect(lines.some((l) => l.startsWith('inventory,'))).toBe(true);

    const response = await c.app.inject({ method: 'GET', url: '/api/v1/agents', headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    const view = (response.json() as { agents: { agentId: string; osSupport: Record<string, unknown> | null }[] }).agents.find((a) => a.agentId === agentId);
    expect(view?.osSupport).toMatchObject({
      supported: false,
      endOfSupport: '2025-10-14',
      release: 'Windows 10 22H2',
      osName: 'Windows 10 Pro',
      observedAt: new Date(t).toISOString(),
    });
    expect(typeof view?.osSupport?.daysLeft).toBe('number');

    // An older inventory replayed later does not replace the newer identity.
    agent.send({ batch: { seq: 2, samples: [inventory(t - 86_400_000, { ...WIN10, os_build: '22631', os_name: 'Windows 11 Pro' })] } });
    await agent.next((e) => e.msg === 'ack' && e.ack?.seq === 2);
    const again = await c.app.inject({ method: 'GET', url: '/api/v1/agents', headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    expect((again.json() as { agents: { agentId: string; osSupport: { osName: string } }[] }).agents.find((a) => a.agentId === agentId)?.osSupport.osName).toBe(
      'Windows 10 Pro',
    );
    agent.socket.close();
  });
});
