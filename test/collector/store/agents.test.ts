import { describe, expect, it } from 'vitest';
import { formatAgentCredential, parseAgentCredential, type AgentInfo, type Store } from '../../../collector/src/store/index.js';
import { clock, codeOf, HOUR, open, rawBytes, tempDbPath, T0 } from './helpers.js';

const INFO: AgentInfo = { hostname: 'ws-01', os: 'win32', arch: 'x64', agentVersion: '0.1.0' };

function setup(file = tempDbPath(), c = clock()): { store: Store; token: string } {
  const store = open(file, c);
  store.tenants.add({ id: 'acme', name: 'Acme' });
  const { token } = store.tokens.create({ tenant: 'acme', expiresAt: T0 + HOUR, uses: 1 });
  return { store, token };
}

function enrolled(store: Store, token: string, info = INFO): { agentId: string; secret: string } {
  const result = store.enrollWithToken(token, info);
  if (!result.ok) throw new Error(`enrollment failed: ${result.reason}`);
  return result;
}

describe('enrollWithToken', () => {
  it('creates an agent of the token tenant and consumes the use', () => {
    const { store, token } = setup();
    const result = store.enrollWithToken(token, INFO);
    expect(result).toMatchObject({ ok: true, tenant: 'acme' });
    if (!result.ok) return;
    expect(result.agentId).toMatch(/^ag_[0-9a-f]{32}$/);
    expect(result.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(store.agents.get(result.agentId)).toEqual({
      id: result.agentId, tenant: 'acme', ...INFO, enrolledAt: T0, lastSeenAt: null, lastAckedSeq: 0, revokedAt: null,
    });
    expect(store.tokens.list()[0]).toMatchObject({ usesLeft: 0, lastUsedBy: 'ws-01' });
    expect(store.enrollWithToken(token, INFO)).toEqual({ ok: false, reason: 'used_up' });
    expect(store.agents.list()).toHaveLength(1);
  });

  it('creates no agent for a bad token', () => {
    const { store, token } = setup();
    expect(store.enrollWithToken('nonsense', INFO)).toEqual({ ok: false, reason: 'malformed' });
    expect(store.enrollWithToken(`${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`, INFO)).toEqual({ ok: false, reason: 'unknown' });
    expect(store.agents.list()).toEqual([]);
    expect(store.tokens.list()[0]?.usesLeft).toBe(1);
  });

  it('burns no use when the enrollment itself fails', () => {
    const { store, token } = setup();
    expect(codeOf(() => store.enrollWithToken(token, { ...INFO, hostname: '' }))).toBe('invalid_argument');
    expect(codeOf(() => store.enrollWithToken(token, { ...INFO, os: 'x'.repeat(65) }))).toBe('invalid_argument');
    expect(store.tokens.list()[0]?.usesLeft).toBe(1);
    expect(store.agents.list()).toEqual([]);
    expect(store.enrollWithToken(token, INFO).ok).toBe(true);
  });

  it('stores the hash, never the agent secret', () => {
    const file = tempDbPath();
    const { store, token } = setup(file);
    const { agentId, secret } = enrolled(store, token);
    store.close();
    const bytes = rawBytes(file);
    expect(bytes.includes(agentId)).toBe(true);
    expect(bytes.includes(secret)).toBe(false);
  });
});

describe('agents', () => {
  it('authenticates the right secret only, and no revoked agent', () => {
    const { store, token } = setup();
    const { agentId, secret } = enrolled(store, token);
    expect(store.agents.authenticate(agentId, secret)?.id).toBe(agentId);
    expect(store.agents.authenticate(agentId, 'A'.repeat(43))).toBeNull();
    expect(store.agents.authenticate(agentId, '')).toBeNull();
    expect(store.agents.authenticate(`ag_${'0'.repeat(32)}`, secret)).toBeNull();
    store.agents.revoke(agentId);
    expect(store.agents.authenticate(agentId, secret)).toBeNull();
    expect(store.agents.get(agentId)?.revokedAt).toBe(T0);
    expect(codeOf(() => store.agents.revoke('ag_missing'))).toBe('agent_unknown');
  });

  it('authenticates from a parsed Authorization header', () => {
    const { store, token } = setup();
    const { agentId, secret } = enrolled(store, token);
    const parsed = parseAgentCredential(`Bearer ${formatAgentCredential(agentId, secret)}`);
    expect(parsed && store.agents.authenticate(parsed.agentId, parsed.secret)?.tenant).toBe('acme');
  });

  it('persists touch and setLastAckedSeq across reopen; the seq never goes back', () => {
    const file = tempDbPath();
    const { store, token } = setup(file);
    const { agentId, secret } = enrolled(store, token);
    store.agents.touch(agentId, { lastSeenAt: T0 + 5000, hostname: 'ws-01.acme.local', agentVersion: '0.2.0' });
    store.agents.touch(agentId, { lastSeenAt: T0 + 9000 });
    store.agents.setLastAckedSeq(agentId, 42);
    store.agents.setLastAckedSeq(agentId, 41);
    store.close();
    const reopened = open(file);
    expect(reopened.agents.get(agentId)).toMatchObject({
      hostname: 'ws-01.acme.local', agentVersion: '0.2.0', os: 'win32', lastSeenAt: T0 + 9000, lastAckedSeq: 42,
    });
    expect(reopened.agents.authenticate(agentId, secret)?.lastAckedSeq).toBe(42);
  });

  it('refuses updates of unknown agents and bad values', () => {
    const { store, token } = setup();
    const { agentId } = enrolled(store, token);
    expect(codeOf(() => store.agents.touch('ag_missing', { lastSeenAt: T0 }))).toBe('agent_unknown');
    expect(codeOf(() => store.agents.setLastAckedSeq('ag_missing', 1))).toBe('agent_unknown');
    expect(codeOf(() => store.agents.setLastAckedSeq(agentId, -1))).toBe('invalid_argument');
    expect(codeOf(() => store.agents.setLastAckedSeq(agentId, 2 ** 32))).toBe('invalid_argument');
    expect(codeOf(() => store.agents.touch(agentId, { lastSeenAt: T0, hostname: '' }))).toBe('invalid_argument');
    expect(store.agents.get(agentId)).toMatchObject({ lastSeenAt: null, hostname: 'ws-01', lastAckedSeq: 0 });
  });

  it('enrolls directly only into an existing tenant', () => {
    const { store } = setup();
    expect(codeOf(() => store.agents.enroll({ tenant: 'nobody', ...INFO }))).toBe('tenant_unknown');
    const { agentId, secret } = store.agents.enroll({ tenant: 'acme', ...INFO });
    expect(store.agents.authenticate(agentId, secret)?.tenant).toBe('acme');
  });

  it('lists all agents or one tenant, ordered by tenant and hostname', () => {
    const { store } = setup();
    store.tenants.add({ id: 'globex', name: 'Globex' });
    const b = store.agents.enroll({ tenant: 'acme', ...INFO, hostname: 'srv-b' });
    const a = store.agents.enroll({ tenant: 'acme', ...INFO, hostname: 'srv-a' });
    const g = store.agents.enroll({ tenant: 'globex', ...INFO, hostname: 'aaa' });
    expect(store.agents.list().map((x) => x.id)).toEqual([a.agentId, b.agentId, g.agentId]);
    expect(store.agents.list('globex').map((x) => x.hostname)).toEqual(['aaa']);
    expect(store.agents.list()[0]).not.toHaveProperty('secret_hash');
    expect(Object.keys(store.agents.list()[0] ?? {})).not.toContain('connected');
  });
});

describe('agents.page', () => {
  it('walks every agent once, by id, a page at a time, revoked ones included (the caller filters)', () => {
    const { store } = setup();
    const ids = Array.from({ length: 7 }, (_, i) => store.agents.enroll({ tenant: 'acme', ...INFO, hostname: `h-${i}` }).agentId);
    store.agents.revoke(ids[3]!);
    const seen: string[] = [];
    const pages: number[] = [];
    for (let after = ''; ; ) {
      const page = store.agents.page(after, 3);
      if (page.length === 0) break;
      pages.push(page.length);
      seen.push(...page.map((a) => a.id));
      after = page.at(-1)!.id;
    }
    expect(pages).toEqual([3, 3, 1]);
    expect(seen).toEqual([...ids].sort());
    expect(store.agents.page('', 10).find((a) => a.id === ids[3])?.revokedAt).not.toBeNull();
  });
});
