// `watchpost-collector tenant list|show|remove` as a user runs them (a subprocess over a real SQLite file): a tenant's
// agents online and offline, open tickets, tokens, keys and desks; removal refused while it has live agents, and with
// --force its agents, tokens and keys revoked and its tickets resolved (told to its desk), its history kept.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../../collector/src/store/index.js';
import { collectorCli } from '../../helpers/collector-cli.js';
import { newTicket } from '../../helpers/collector-tickets.js';

const DESKS = `
desks:
  hook: { type: webhook, url: "https://hooks.example.net/watchpost", events: [opened, resolved] }
tenants:
  acme:
    desks: [ { desk: hook } ]
`;

/** A data directory with tenants acme (an online agent, an offline one, two open tickets and a resolved one, a token,
 *  a read key) and other (one ticket), and a desks file routing acme to a webhook. */
function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'wp-cli-'));
  const desksFile = join(dir, 'desks.yaml');
  writeFileSync(desksFile, DESKS);
  const env = { WATCHPOST_DATA_DIR: dir, WATCHPOST_DESKS_FILE: desksFile };
  const store = openStore(join(dir, 'watchpost.db'));
  store.tenants.add({ id: 'acme', name: 'Acme Ltd' });
  store.tenants.add({ id: 'other', name: 'Other' });
  store.tokens.create({ tenant: 'acme', expiresAt: Date.now() + 3_600_000, uses: 1 });
  store.apiKeys.create({ name: 'Acme IT', tenant: 'acme', role: 'read' });
  const info = { tenant: 'acme', os: 'linux', arch: 'x64', agentVersion: '1' };
  const online = store.agents.enroll({ ...info, hostname: 'ws-01' }).agentId;
  const offline = store.agents.enroll({ ...info, hostname: 'ws-02' }).agentId;
  // As a serving collector records a connected agent: at Hello and each heartbeat.
  store.agents.touch(online, { lastSeenAt: Date.now(), connectedAt: Date.now() });
  store.agents.touch(offline, { lastSeenAt: Date.now() - 3_600_000 });
  const now = Date.now();
  const [open, acked, done] = ['disk', 'cpu', 'mem'].map(
    (ruleId) => store.tickets.open(newTicket({ host: 'ws-01', agentId: online, ruleId }), now, 'fired').id,
  );
  store.tickets.update(acked!, { status: 'acknowledged', acknowledgedAt: now, acknowledgedBy: 'k' }, { kind: 'acknowledged', at: now, detail: 'ack' });
  store.tickets.update(done!, { status: 'resolved', resolvedAt: now, resolvedBy: 'k' }, { kind: 'resolved', at: now, detail: 'fixed' });
  const others = store.tickets.open(newTicket({ tenant: 'other' }), now, 'fired').id;
  store.close();
  return { dir, env, online, offline, tickets: { open: open!, acked: acked!, done: done!, others } };
}

describe('tenant list, show, remove', () => {
  it("lists and shows a tenant's agents online/offline, open tickets, tokens, keys and desks", async () => {
    const { env } = setup();
    const list = await collectorCli(['tenant', 'list'], env);
    expect(list.stdout).toMatch(/^TENANT +NAME +CREATED +ONLINE +OFFLINE +OPEN TICKETS +STATE\n/);
    expect(list.stdout).toMatch(/\nacme +Acme Ltd +\S+Z +1 +1 +2 +active\n/);
    expect(list.stdout).toMatch(/\nother +Other +\S+Z +0 +0 +1 +active\n/);

    const show = await collectorCli(['tenant', 'show', 'acme'], env);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/^agents: +1 online, 1 offline, 0 revoked/m);
    expect(show.stdout).toMatch(/^open tickets: +2 \(1 open, 1 acknowledged\)$/m);
    expect(show.stdout).toMatch(/^enrollment tokens: +1 usable of 1$/m);
    expect(show.stdout).toMatch(/^API keys: +[0-9a-f]{16} Acme IT \(tenant:acme \(read\)\)$/m);
    expect(show.stdout).toMatch(/^desks: +hook \(webhook: opened, resolved\)$/m);
    const json = JSON.parse((await collectorCli(['tenant', 'show', 'other', '--json'], env)).stdout);
    expect(json).toMatchObject({ id: 'other', agents: { online: 0, offline: 0, revoked: 0 }, tickets: { open: 1 }, desks: [], removedAt: null });
    expect(await collectorCli(['tenant', 'show', 'nobody'], env)).toMatchObject({ code: 1, stderr: expect.stringContaining('unknown tenant: nobody') });
    expect(await collectorCli(['tenant', 'show'], env)).toMatchObject({ code: 2 });
  }, 60_000);

  it('refuses while the tenant has live agents; --force revokes them, its tokens and keys, resolves its tickets, keeps history', async () => {
    const { dir, env, online, offline, tickets } = setup();
    const refused = await collectorCli(['tenant', 'remove', 'acme'], env);
    expect(refused).toMatchObject({ code: 1, stderr: expect.stringContaining('tenant acme has 2 live agent(s) (1 online)') });
    let store = openStore(join(dir, 'watchpost.db'));
    expect(store.agents.get(online)?.revokedAt).toBeNull();
    expect(store.tenants.get('acme')?.removedAt).toBeNull();
    store.close();

    const removed = await collectorCli(['tenant', 'remove', 'acme', '--force', '--json'], env);
    expect(removed.code).toBe(0);
    const result = JSON.parse(removed.stdout);
    expect(result).toMatchObject({ tenant: 'acme', desksTold: ['hook'] });
    expect([...result.agentsRevoked].sort()).toEqual([online, offline].sort());
    expect([...result.ticketsResolved].sort()).toEqual([tickets.open, tickets.acked].sort());
    expect(result.tokensRevoked).toHaveLength(1);
    expect(result.apiKeysRevoked).toHaveLength(1);

    store = openStore(join(dir, 'watchpost.db'));
    try {
      expect(store.tenants.get('acme')?.removedAt).toBe(result.removedAt);
      expect(store.agents.list('acme').every((a) => a.revokedAt !== null)).toBe(true);
      // The revocation log is what a running collector polls to disconnect them.
      expect(store.agents.revocationsAfter(0).agentIds.sort()).toEqual([online, offline].sort());
      expect(store.tokens.list('acme').every((t) => t.revokedAt !== null)).toBe(true);
      expect(
        store.apiKeys
          .list()
          .filter((k) => k.tenant === 'acme')
          .every((k) => k.revokedAt !== null),
      ).toBe(true);
      for (const id of [tickets.open, tickets.acked]) {
        const ticket = store.tickets.get(id)!;
        expect(ticket).toMatchObject({ status: 'resolved', resolvedBy: expect.stringMatching(/^cli/) });
        expect(store.tickets.events(id).at(-1)).toMatchObject({ kind: 'resolved', detail: expect.stringMatching(/^resolved: tenant acme removed by cli/) });
      }
      expect(store.tickets.get(tickets.done)).toMatchObject({ resolvedBy: 'k' });
      expect(store.tickets.get(tickets.others)?.status).toBe('open');
      expect(
        store.deskOutbox
          .list({ desk: 'hook' })
          .map((d) => [d.ticketId, d.kind])
          .sort(),
      ).toEqual(
        [
          [tickets.open, 'resolved'],
          [tickets.acked, 'resolved'],
        ].sort(),
      );
      expect(store.tenants.get('other')?.removedAt).toBeNull();
    } finally {
      store.close();
    }

    expect((await collectorCli(['tenant', 'list'], env)).stdout).toMatch(/\nacme +Acme Ltd +\S+Z +0 +0 +0 +removed \S+Z\n/);
    expect(await collectorCli(['tenant', 'remove', 'acme'], env)).toMatchObject({ code: 0, stderr: expect.stringContaining('already removed') });
    expect(await collectorCli(['token', 'create', '--tenant', 'acme'], env)).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('tenant acme was removed on'),
    });
    expect(await collectorCli(['tenant', 'add', 'acme', '--name', 'Acme'], env)).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('tenant exists: acme (removed on'),
    });
  }, 60_000);

  it('removes a tenant without live agents without --force; an unreadable desks file changes nothing', async () => {
    const { env } = setup();
    const broken = { ...env, WATCHPOST_DESKS_FILE: join(env.WATCHPOST_DATA_DIR, 'missing.yaml') };
    expect(await collectorCli(['tenant', 'remove', 'other'], broken)).toMatchObject({ code: 2, stderr: expect.stringContaining('desks.file: cannot read') });
    expect((await collectorCli(['tenant', 'show', 'other', '--json'], env)).stdout).toContain('"removedAt": null');
    const removed = await collectorCli(['tenant', 'remove', 'other'], env);
    expect(removed).toMatchObject({ code: 0, stdout: expect.stringContaining('tenant other removed\nagents revoked: 0\ntickets resolved: 1\n') });
  }, 60_000);
});
