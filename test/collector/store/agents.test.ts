import { describe, expect, it } from 'vitest';
import { formatAgentCredential, isStoreError, parseAgentCredential, type AgentInfo, type Store } from '../../../collector/src/store/index.js';
import { migrate } from '../../../collector/src/store/db.js';
import { BACKEND_MIGRATIONS, clock, codeOf, HOUR, open, rawBytes, rawDatabase, tempDbPath, T0 } from './helpers.js';

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
      id: result.agentId,
      tenant: 'acme',
      ...INFO,
      enrolledAt: T0,
      lastSeenAt: null,
      lastAckedSeq: 0,
      revokedAt: null,
      reportedHostname: null,
      connectedAt: null,
      lastBatchAt: null,
      lastAckAt: null,
      spool: null,
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

  it('persists touch and setLastAckedSeq across reopen; touch records a reported hostname and never renames', () => {
    const file = tempDbPath();
    const { store, token } = setup(file);
    const { agentId, secret } = enrolled(store, token);
    store.agents.touch(agentId, { lastSeenAt: T0 + 5000, reportedHostname: 'ws-01.acme.local', agentVersion: '0.2.0' });
    store.agents.touch(agentId, { lastSeenAt: T0 + 9000 });
    store.agents.setLastAckedSeq(agentId, 42);
    store.close();
    const reopened = open(file);
    expect(reopened.agents.get(agentId)).toMatchObject({
      hostname: 'ws-01',
      reportedHostname: 'ws-01.acme.local',
      agentVersion: '0.2.0',
      os: 'win32',
      lastSeenAt: T0 + 9000,
      lastAckedSeq: 42,
    });
    expect(reopened.agents.authenticate(agentId, secret)?.lastAckedSeq).toBe(42);
    reopened.agents.touch(agentId, { lastSeenAt: T0 + 9500, reportedHostname: null });
    expect(reopened.agents.get(agentId)?.reportedHostname).toBeNull();
  });

  it("records the latest connection's seq, lower than before when the agent counts from 1 again", () => {
    const { store, token } = setup();
    const { agentId } = enrolled(store, token);
    store.agents.setLastAckedSeq(agentId, 4_294_967_295);
    store.agents.setLastAckedSeq(agentId, 12);
    expect(store.agents.get(agentId)?.lastAckedSeq).toBe(12);
  });

  it('refuses updates of unknown agents and bad values', () => {
    const { store, token } = setup();
    const { agentId } = enrolled(store, token);
    expect(codeOf(() => store.agents.touch('ag_missing', { lastSeenAt: T0 }))).toBe('agent_unknown');
    expect(codeOf(() => store.agents.setLastAckedSeq('ag_missing', 1))).toBe('agent_unknown');
    expect(codeOf(() => store.agents.setLastAckedSeq(agentId, -1))).toBe('invalid_argument');
    expect(codeOf(() => store.agents.setLastAckedSeq(agentId, 2 ** 32))).toBe('invalid_argument');
    expect(codeOf(() => store.agents.touch(agentId, { lastSeenAt: T0, reportedHostname: '' }))).toBe('invalid_argument');
    expect(codeOf(() => store.agents.touch(agentId, { lastSeenAt: T0, reportedHostname: 'ws-01\n' }))).toBe('invalid_argument');
    expect(codeOf(() => store.agents.touch(agentId, { lastSeenAt: T0, agentVersion: '' }))).toBe('invalid_argument');
    expect(store.agents.get(agentId)).toMatchObject({ lastSeenAt: null, hostname: 'ws-01', lastAckedSeq: 0, reportedHostname: null });
  });

  it('enrolls directly only into an existing tenant', () => {
    const { store } = setup();
    expect(codeOf(() => store.agents.enroll({ tenant: 'nobody', ...INFO }))).toBe('tenant_unknown');
    expect(codeOf(() => store.agents.enroll({ tenant: 'acme\n', ...INFO }))).toBe('invalid_argument');
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
    for (let after = ''; ;) {
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

describe('hostnames: valid identity strings, bound at enrollment, unique among live agents of a tenant', () => {
  const messageOf = (fn: () => unknown): string => {
    try {
      fn();
      return 'no error';
    } catch (error) {
      return isStoreError(error) ? `${error.code}: ${error.message}` : String(error);
    }
  };

  it('refuses a hostname that would split or escape a tag value, naming the field', () => {
    const { store } = setup();
    for (const hostname of ['ws-01\nvictim', 'victim\\', 'ws-01\r', '\tws', 'ws 01', 'x'.repeat(254)]) {
      expect(codeOf(() => store.agents.enroll({ tenant: 'acme', ...INFO, hostname }))).toBe('invalid_argument');
    }
    expect(messageOf(() => store.agents.enroll({ tenant: 'acme', ...INFO, hostname: 'a\nb' }))).toBe(
      'invalid_argument: agent hostname must not contain a control or format character (U+000A)',
    );
    expect(messageOf(() => store.agents.enroll({ tenant: 'acme', ...INFO, agentVersion: '' }))).toBe(
      'invalid_argument: agent agentVersion must not be empty or blank',
    );
    expect(store.agents.list()).toEqual([]);
  });

  it('refuses a second live agent of the tenant with the same name in any case; another tenant, or after a revoke, may', () => {
    const { store } = setup();
    store.tenants.add({ id: 'globex', name: 'Globex' });
    const first = store.agents.enroll({ tenant: 'acme', ...INFO, hostname: 'WS-01' });
    expect(messageOf(() => store.agents.enroll({ tenant: 'acme', ...INFO, hostname: 'ws-01' }))).toBe(
      `conflict: hostname ws-01 is already bound to agent ${first.agentId} of tenant acme: revoke that agent or rename one of them`,
    );
    expect(codeOf(() => store.agents.enroll({ tenant: 'acme', ...INFO, hostname: 'ＷＳ-01' }))).toBe('conflict');
    expect(codeOf(() => store.agents.enroll({ tenant: 'globex', ...INFO, hostname: 'ws-01' }))).toBe('no error');
    store.agents.revoke(first.agentId);
    expect(codeOf(() => store.agents.enroll({ tenant: 'acme', ...INFO, hostname: 'ws-01' }))).toBe('no error');
  });

  it('a conflicting enrollment with a token burns no use', () => {
    const { store, token } = setup();
    store.agents.enroll({ tenant: 'acme', ...INFO });
    expect(codeOf(() => store.enrollWithToken(token, INFO))).toBe('conflict');
    expect(store.tokens.list()[0]?.usesLeft).toBe(1);
    expect(store.agents.list()).toHaveLength(1);
  });

  it("a re-enrollment that proves the machine's old credential replaces that agent in the same transaction", () => {
    const { store, token } = setup();
    const old = enrolled(store, token);
    const again = () => store.tokens.create({ tenant: 'acme', expiresAt: T0 + HOUR, uses: 1 }).token;
    const wrong = formatAgentCredential(old.agentId, 'A'.repeat(43));
    expect(codeOf(() => store.enrollWithToken(again(), INFO, wrong))).toBe('conflict');
    expect(store.agents.get(old.agentId)?.revokedAt).toBeNull();
    const cursor = store.agents.revocationCursor();
    const result = store.enrollWithToken(again(), INFO, formatAgentCredential(old.agentId, old.secret));
    expect(result).toMatchObject({ ok: true, replaced: old.agentId });
    expect(store.agents.get(old.agentId)?.revokedAt).toBe(T0);
    expect(store.agents.revocationsAfter(cursor).agentIds).toEqual([old.agentId]);
    expect(
      store.agents
        .list()
        .filter((a) => a.revokedAt === null)
        .map((a) => a.hostname),
    ).toEqual(['ws-01']);
  });

  it('a proven credential is not revoked when the enrollment fails after all', () => {
    const { store, token } = setup();
    const old = enrolled(store, token);
    const next = store.tokens.create({ tenant: 'acme', expiresAt: T0 + HOUR, uses: 1 }).token;
    expect(codeOf(() => store.enrollWithToken(next, { ...INFO, os: '' }, formatAgentCredential(old.agentId, old.secret)))).toBe('invalid_argument');
    expect(store.agents.get(old.agentId)?.revokedAt).toBeNull();
    expect(store.agents.revocationCursor()).toBe(0);
  });

  it('rename binds a new name, refuses a taken, invalid or unknown one, and clears a reported name it now agrees with', () => {
    const { store } = setup();
    const a = store.agents.enroll({ tenant: 'acme', ...INFO, hostname: 'ws-01' });
    store.agents.enroll({ tenant: 'acme', ...INFO, hostname: 'ws-02' });
    store.agents.touch(a.agentId, { lastSeenAt: T0, reportedHostname: 'Reception-PC' });
    expect(codeOf(() => store.agents.rename(a.agentId, 'WS-02'))).toBe('conflict');
    expect(codeOf(() => store.agents.rename(a.agentId, 'ws-03\n'))).toBe('invalid_argument');
    expect(codeOf(() => store.agents.rename('ag_missing', 'ws-03'))).toBe('agent_unknown');
    expect(store.agents.rename(a.agentId, 'WS-01')).toMatchObject({ hostname: 'WS-01', reportedHostname: 'Reception-PC' });
    expect(store.agents.rename(a.agentId, 'reception-pc')).toMatchObject({ hostname: 'reception-pc', reportedHostname: null });
    expect(codeOf(() => store.agents.enroll({ tenant: 'acme', ...INFO, hostname: 'RECEPTION-PC' }))).toBe('conflict');
    expect(codeOf(() => store.agents.enroll({ tenant: 'acme', ...INFO, hostname: 'ws-01' }))).toBe('no error');
  });

  it('agents enrolled before hostnames were bound get their comparison key when the store opens', () => {
    const file = tempDbPath();
    const db = rawDatabase(file);
    migrate(db, BACKEND_MIGRATIONS.slice(0, -1));
    db.prepare("INSERT INTO tenants (id, name, created_at) VALUES ('acme', 'Acme', 0)").run();
    db.prepare(
      "INSERT INTO agents (id, tenant, secret_hash, hostname, os, arch, agent_version, enrolled_at) VALUES (?, 'acme', ?, 'BÜRO-PC', 'win32', 'x64', '0.1.0', 0)",
    ).run(`ag_${'1'.repeat(32)}`, Buffer.from([0]));
    db.close();
    const store = open(file);
    expect(store.agents.get(`ag_${'1'.repeat(32)}`)).toMatchObject({ hostname: 'BÜRO-PC', reportedHostname: null });
    expect(codeOf(() => store.agents.enroll({ tenant: 'acme', ...INFO, hostname: 'büro-pc' }))).toBe('conflict');
  });
});
