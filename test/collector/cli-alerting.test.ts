// The tickets, maintenance and silence commands as a user runs them: a subprocess on a real SQLite data dir.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore, type NewTicket } from '../../collector/src/store/index.js';
import { collectorCli } from '../helpers/collector-cli.js';
import { newTicket } from '../helpers/collector-tickets.js';

const HOUR = 3_600_000;

function dataDirWithTenant(): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'wp-cli-alerting-'));
  const store = openStore(join(dir, 'watchpost.db'));
  store.tenants.add({ id: 'acme', name: 'Acme' });
  store.close();
  return { WATCHPOST_DATA_DIR: dir };
}

function ticket(host: string, openedAt: number): NewTicket {
  return newTicket({
    host,
    ruleId: 'disk-full',
    title: `Disk full on ${host}`,
    priority: 'P1',
    urgency: 'high',
    slaProfile: 'standard-8x5',
    sla: [
      { target: 'respond', startedAt: openedAt, dueAt: openedAt + HOUR, warnAt: openedAt + HOUR * 0.75 },
      { target: 'resolve', startedAt: openedAt, dueAt: openedAt + 100 * HOUR, warnAt: openedAt + 75 * HOUR },
    ],
  });
}

describe('watchpost-collector tickets', () => {
  it('lists unresolved tickets by default with due times and their standing; --status and --json', async () => {
    const env = dataDirWithTenant();
    expect(await collectorCli(['tickets'], env)).toMatchObject({
      code: 0,
      stdout: 'ID  TENANT  HOST  RULE  PRIORITY  STATUS  OPENED  RESPOND DUE  RESOLVE DUE  TITLE\n',
    });
    const store = openStore(join(env.WATCHPOST_DATA_DIR!, 'watchpost.db'));
    const now = Date.now();
    const late = store.tickets.open(ticket('sql01', now - 2 * HOUR), now - 2 * HOUR, 'fired');
    const fresh = store.tickets.open(ticket('sql02', now), now, 'fired');
    const done = store.tickets.open(ticket('sql03', now), now, 'fired');
    store.tickets.update(done.id, { status: 'resolved', resolvedAt: now, resolvedBy: 'engine' }, { kind: 'resolved', at: now, detail: 'x' });
    store.close();

    const listed = await collectorCli(['tickets'], env);
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(new RegExp(`^${fresh.id}\\s+acme\\s+sql02\\s+disk-full\\s+P1\\s+open\\s+\\S+\\s+\\S+Z\\s+\\S+Z\\s+Disk full on sql02$`));
    expect(lines[2]).toMatch(new RegExp(`^${late.id}\\s+acme\\s+sql01 .* \\S+Z breached\\s+\\S+Z\\s+Disk full on sql01$`));
    const resolved = await collectorCli(['tickets', '--status', 'resolved'], env);
    expect(resolved.stdout).toContain('sql03');
    expect(resolved.stdout).not.toContain('sql01');
    const json = JSON.parse((await collectorCli(['tickets', '--status', 'all', '--json'], env)).stdout) as Array<{
      host: string;
      sla: Array<{ standing: string }>;
    }>;
    expect(json.map((t) => t.host)).toEqual(['sql03', 'sql02', 'sql01']);
    expect(json[2]!.sla[0]!.standing).toBe('breached');
    expect(await collectorCli(['tickets', '--status', 'closed'], env)).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--status: expected one of open, acknowledged, resolved, unresolved, all'),
    });
  });
});

describe('watchpost-collector maintenance and silence', () => {
  it('adds, lists and deletes maintenance windows; refusals name the flag', async () => {
    const env = dataDirWithTenant();
    const once = await collectorCli(['maintenance', 'add', '--tenant', 'acme', '--host', 'sql01', '--duration', '2h', '--reason', 'disk swap'], env);
    expect(once.code).toBe(0);
    expect(once.stdout).toMatch(/^mw_[0-9a-f]{16}\n$/);
    expect(once.stderr).toContain('host sql01');
    const weekly = await collectorCli(
      [
        'maintenance',
        'add',
        '--tenant',
        'acme',
        '--site',
        'berlin',
        '--cron',
        '0 22 * * 6',
        '--duration',
        '4h',
        '--timezone',
        'Europe/Berlin',
        '--reason',
        'patch night',
      ],
      env,
    );
    expect(weekly.code).toBe(0);
    const onceId = once.stdout.trim();
    const list = await collectorCli(['maintenance', 'list'], env);
    expect(list.stdout).toMatch(new RegExp(`${onceId}\\s+acme\\s+host sql01 .* holding until \\S+Z\\s+disk swap`));
    expect(list.stdout).toMatch(/site berlin\s+0 22 \* \* 6 Europe\/Berlin for 4h\s+/);
    expect(await collectorCli(['maintenance', 'delete', onceId], env)).toMatchObject({ code: 0, stdout: `maintenance window ${onceId} deleted\n` });
    expect(await collectorCli(['maintenance', 'delete', onceId], env)).toMatchObject({ code: 0, stdout: `maintenance window ${onceId} was already deleted\n` });
    expect(await collectorCli(['maintenance', 'delete', 'mw_nope'], env)).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('unknown maintenance window: mw_nope'),
    });
    expect((await collectorCli(['maintenance', 'list'], env)).stdout).not.toContain(onceId);
    const all = JSON.parse((await collectorCli(['maintenance', 'list', '--all', '--json'], env)).stdout) as Array<{ id: string; state: string }>;
    expect(all.find((w) => w.id === onceId)?.state).toMatch(/^deleted /);
  });

  it.each([
    [['--tenant', 'acme', '--cron', 'whenever', '--duration', '4h', '--timezone', 'UTC', '--reason', 'x'], 2, '--cron: "whenever" is not a cron expression'],
    [['--tenant', 'acme', '--cron', '0 22 * * 6', '--duration', '4h', '--reason', 'x'], 2, '--timezone: required with cron'],
    [['--tenant', 'acme', '--cron', '0 22 * * 6', '--duration', '4h', '--timezone', 'Berlin', '--reason', 'x'], 2, '--timezone: expected an IANA time zone'],
    [['--tenant', 'acme', '--start', '2025-03-22 10:00', '--duration', '1h', '--reason', 'x'], 2, '--start: expected an ISO 8601 time with a zone'],
    [['--tenant', 'acme', '--reason', 'x'], 2, '--end: give either end or duration'],
    [['--tenant', 'acme', '--duration', '1h'], 2, '--reason is required'],
    [['--tenant', 'nobody', '--duration', '1h', '--reason', 'x'], 1, 'unknown tenant: nobody'],
  ])('maintenance add %j exits %i', async (args, code, message) => {
    const result = await collectorCli(['maintenance', 'add', ...args], dataDirWithTenant());
    expect(result.code).toBe(code);
    expect(result.stderr).toContain(message);
  });

  it('adds, lists and expires silences', async () => {
    const env = dataDirWithTenant();
    const added = await collectorCli(
      ['silence', 'add', '--tenant', 'acme', '--host', 'ws-1', '--rule', 'av_disabled', '--duration', '2h', '--comment', 're-imaging'],
      env,
    );
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/^sil_[0-9a-f]{16}\n$/);
    const id = added.stdout.trim();
    expect((await collectorCli(['silence', 'list', '--active'], env)).stdout).toMatch(
      new RegExp(`${id}\\s+acme\\s+ws-1\\s+av_disabled\\s+\\S+Z\\s+\\S+Z\\s+active\\s+re-imaging`),
    );
    expect(await collectorCli(['silence', 'expire', id], env)).toMatchObject({ code: 0, stdout: `silence ${id} expired\n` });
    expect((await collectorCli(['silence', 'list', '--active'], env)).stdout).not.toContain(id);
    expect((await collectorCli(['silence', 'list'], env)).stdout).toMatch(new RegExp(`${id} .* expired \\S+Z`));
    expect(await collectorCli(['silence', 'expire', 'sil_nope'], env)).toMatchObject({ code: 1 });
    expect(await collectorCli(['silence', 'add', '--tenant', 'acme', '--comment', 'x', '--duration', 'long'], env)).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--duration: expected a duration'),
    });
    const misspelled = await collectorCli(['silence', 'add', '--tenant', 'acme', '--rule', 'disk_spce', '--duration', '2h', '--comment', 'x'], env);
    expect(misspelled).toMatchObject({ code: 2, stdout: '' });
    expect(misspelled.stderr).toContain('--rule: unknown rule "disk_spce" for tenant acme (did you mean "disk_space"?); known: agent_offline_server, ');
    expect((await collectorCli(['silence', 'list', '--json'], env)).stdout).not.toContain('disk_spce');
  });
});
