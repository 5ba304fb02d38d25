// POST /api/v1/enroll on the real collector app: a bad body is a 400 naming the field (never a 500), a hostname a
// live agent of the tenant holds is a 409 saying how to resolve it, and a machine that re-enrolls with
// `enroll --force` (the real agent CLI) replaces its own earlier agent by proving its credential.
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { useCollector } from '../../helpers/collector.js';
import { formatAgentCredential } from '../../../collector/src/store/index.js';
import { loadIdentity } from '../../../agent/src/identity/state.js';
import { cliEnv, runCli } from '../../agent/helpers/cli.js';

const { collector } = useCollector();
const GOOD = { hostname: 'ws-enroll-01', os: 'win32', arch: 'x64', agentVersion: '0.1.0' };

let tenantSeq = 0;
/** A tenant of its own per test, so hostnames never meet another test's. */
function freshTenant(): string {
  const id = `enroll-${++tenantSeq}`;
  collector().store.tenants.add({ id, name: id });
  return id;
}
const tokenFor = (tenant: string): string => collector().store.tokens.create({ tenant, expiresAt: Date.now() + 60_000, uses: 1 }).token;
const post = (payload: object, headers: Record<string, string> = {}) => collector().app.inject({ method: 'POST', url: '/api/v1/enroll', payload, headers });

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('enrollment body validation', () => {
  it.each([
    [{ hostname: '' }, 'hostname must not be empty or blank'],
    [{ hostname: '   ' }, 'hostname must not be empty or blank'],
    [{ os: '' }, 'os must not be empty or blank'],
    [{ arch: '' }, 'arch must not be empty or blank'],
    [{ agentVersion: '' }, 'agentVersion must not be empty or blank'],
    [{ agentVersion: '1'.repeat(65) }, 'agentVersion must be at most 64 characters'],
    [{ hostname: 'ws-01\ncpu,host=victim,tenant=acme usage_user=99' }, 'hostname must not contain a control or format character (U+000A)'],
    [{ hostname: 'victim\\' }, 'hostname must not contain a backslash'],
    [{ hostname: 'ws-01 ' }, 'hostname must not start or end with whitespace'],
  ])('answers 400 for %j, naming the field, and keeps the token', async (bad, message) => {
    const tenant = freshTenant();
    const token = tokenFor(tenant);
    const res = await post({ token, ...GOOD, ...bad });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: 'invalid_argument', message });
    expect(collector().store.tokens.list(tenant)[0]?.usesLeft).toBe(1);
    expect(collector().store.agents.list(tenant)).toEqual([]);
  });

  it('answers 400 for a missing field through the schema', async () => {
    const res = await post({ token: tokenFor(freshTenant()), hostname: 'ws-01', arch: 'x64', agentVersion: '1' });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain('os');
  });
});

describe('a hostname is bound to one live agent per tenant', () => {
  it('refuses a second agent with a taken name (in any case) with 409 and how to resolve it; the token is kept', async () => {
    const tenant = freshTenant();
    expect((await post({ token: tokenFor(tenant), ...GOOD, hostname: 'WS-01' })).statusCode).toBe(200);
    const token = tokenFor(tenant);
    const res = await post({ token, ...GOOD, hostname: 'ws-01' });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ error: 'hostname_taken' });
    expect(res.json().message).toMatch(
      /^hostname ws-01 is already bound to a live agent of this tenant: an admin revokes that agent .*agent rename ID NAME.*enroll --force/,
    );
    expect(
      collector()
        .store.tokens.list(tenant)
        .find((t) => t.usesLeft === 1),
    ).toBeDefined();
    expect(collector().store.agents.list(tenant)).toHaveLength(1);
  });

  it('lets the name go to a new agent once the old one is revoked, and to another tenant at any time', async () => {
    const tenant = freshTenant();
    const first = (await post({ token: tokenFor(tenant), ...GOOD })).json() as { agentId: string };
    expect((await post({ token: tokenFor(freshTenant()), ...GOOD })).statusCode).toBe(200);
    collector().store.agents.revoke(first.agentId);
    expect((await post({ token: tokenFor(tenant), ...GOOD })).statusCode).toBe(200);
  });

  it("replaces the machine's own agent when the request proves its credential; a wrong one proves nothing", async () => {
    const tenant = freshTenant();
    const first = (await post({ token: tokenFor(tenant), ...GOOD })).json() as { agentId: string; credential: string };
    const forged = formatAgentCredential(first.agentId, 'A'.repeat(43));
    expect((await post({ token: tokenFor(tenant), ...GOOD }, { authorization: `Bearer ${forged}` })).statusCode).toBe(409);
    const again = await post({ token: tokenFor(tenant), ...GOOD }, { authorization: `Bearer ${first.credential}` });
    expect(again.statusCode).toBe(200);
    expect(collector().store.agents.get(first.agentId)?.revokedAt).not.toBeNull();
    expect(
      collector()
        .store.agents.list(tenant)
        .filter((a) => a.revokedAt === null)
        .map((a) => a.id),
    ).toEqual([again.json().agentId]);
  });

  it('the real agent: `enroll --force` from its state directory re-enrolls; a second machine of the same name gets the 409', async () => {
    const tenant = freshTenant();
    const stateDir = mkdtempSync(join(tmpdir(), 'wp-enroll-state-'));
    const otherMachine = mkdtempSync(join(tmpdir(), 'wp-enroll-other-'));
    dirs.push(stateDir, otherMachine);
    const enroll = (dir: string, ...flags: string[]) =>
      runCli(['enroll', '--server', collector().baseUrl, '--token', tokenFor(tenant), ...flags], cliEnv({ WATCHPOST_STATE_DIR: dir }));

    expect(await enroll(stateDir)).toMatchObject({ code: 0 });
    const before = loadIdentity(stateDir)!;
    const forced = await enroll(stateDir, '--force');
    expect(forced.stderr).toBe('');
    expect(forced.code).toBe(0);
    const after = loadIdentity(stateDir)!;
    expect(after.agentId).not.toBe(before.agentId);
    expect(collector().store.agents.get(before.agentId)?.revokedAt).not.toBeNull();
    expect(collector().store.agents.get(after.agentId)).toMatchObject({ hostname: hostname(), revokedAt: null });

    const taken = await enroll(otherMachine);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain(`enrollment refused by the collector (HTTP 409): hostname ${hostname()} is already bound`);
  }, 60_000);
});
