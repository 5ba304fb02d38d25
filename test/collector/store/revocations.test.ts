// The revocation log that a running collector polls: complete, in order, across connections, first revocation only.
import { describe, expect, it } from 'vitest';
import { open, tempDbPath } from './helpers.js';

const INFO = { hostname: 'ws-01', os: 'windows', arch: 'x64', agentVersion: '0.1.0' };

describe('agent revocation log', () => {
  it('reports each agent once, at its first revocation, in order, to a reader on another connection', () => {
    const file = tempDbPath();
    const cli = open(file);
    const serve = open(file);
    cli.tenants.add({ id: 'acme', name: 'Acme' });
    const [a, b] = [cli.agents.enroll({ tenant: 'acme', ...INFO }), cli.agents.enroll({ tenant: 'acme', ...INFO, hostname: 'ws-02' })];
    const start = serve.agents.revocationCursor();
    expect(start).toBe(0);
    expect(serve.agents.revocationsAfter(start)).toEqual({ cursor: 0, agentIds: [] });
    cli.agents.revoke(b!.agentId);
    cli.agents.revoke(a!.agentId);
    cli.agents.revoke(b!.agentId); // again: already revoked, not logged twice
    const first = serve.agents.revocationsAfter(start);
    expect(first.agentIds).toEqual([b!.agentId, a!.agentId]);
    expect(serve.agents.revocationsAfter(first.cursor)).toEqual({ cursor: first.cursor, agentIds: [] });
    expect(serve.agents.revocationCursor()).toBe(first.cursor);
  });

  it('starts a watcher after the revocations made before it', () => {
    const store = open(tempDbPath());
    store.tenants.add({ id: 'acme', name: 'Acme' });
    const { agentId } = store.agents.enroll({ tenant: 'acme', ...INFO });
    store.agents.revoke(agentId);
    expect(store.agents.revocationsAfter(store.agents.revocationCursor()).agentIds).toEqual([]);
  });
});
