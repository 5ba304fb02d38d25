// The ticket action commands as a technician runs them: a subprocess on a real data dir whose alert the real engine
// fired. Who acted is --by (default the OS user); resolving while the alert still fires warns; a priority and a
// reopen need a reason; each action is a ticket event and a queued InfluxDB point, as through the API.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createAlertEngine } from '../../../collector/src/alerting/engine.js';
import { createTransitions } from '../../../collector/src/alerting/influx-outbox-feed.js';
import { loadRules } from '../../../collector/src/alerting/rules/rules-file.js';
import { openStore } from '../../../collector/src/store/index.js';
import { collectorCli } from '../../helpers/collector-cli.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A data dir with one open P2 ticket: the disk of a Linux server above 95 % for the rule's 5 minutes. */
function dataDirWithFiringTicket(): { env: Record<string, string>; file: string; id: number } {
  const dir = mkdtempSync(join(tmpdir(), 'wp-cli-ticket-'));
  dirs.push(dir);
  const file = join(dir, 'watchpost.db');
  const store = openStore(file);
  store.tenants.add({ id: 'acme', name: 'Acme' });
  const { agentId } = store.agents.enroll({ tenant: 'acme', hostname: 'srv1', os: 'linux', arch: 'x64', agentVersion: '1.0.0' });
  const log = { warn: () => {}, error: () => {} };
  const engine = createAlertEngine({ store, rules: () => loadRules(), transitions: createTransitions(store.influxOutbox), log });
  const disk = (timeMs: number) => ({ measurement: 'disk', timeMs, tags: [{ key: 'path', value: '/data' }], fields: [{ key: 'used_percent', float: 97 }] });
  const agent = { id: agentId, tenant: 'acme', hostname: 'srv1', os: 'linux' };
  engine.observe(agent, [disk(Date.now() - 6 * 60_000)]);
  engine.observe(agent, [disk(Date.now())]);
  const [ticket] = store.tickets.list({});
  store.close();
  expect(ticket).toMatchObject({ status: 'open', priority: 'P2' });
  return { env: { WATCHPOST_DATA_DIR: dir }, file, id: ticket!.id };
}

describe('watchpost-collector ticket ACTION', () => {
  it('ack, priority, resolve (warned: still firing), reopen, plan and note, recorded as --by or the OS user', { timeout: 300_000 }, async () => {
    const { env, file, id } = dataDirWithFiringTicket();
    const cli = (...args: string[]) => collectorCli(['ticket', ...args], env);

    const acked = await cli('ack', String(id), '--by', 'Jane Doe');
    expect(acked).toMatchObject({ code: 0, stdout: `ticket ${id} acknowledged (acknowledged by Jane Doe), P2: Disk space low on srv1\n` });
    expect((await cli('priority', String(id), 'P4', '--by', 'Jane Doe')).code).toBe(2); // no reason
    expect(await cli('priority', String(id), 'p4', '--reason', 'lab box', '--by', 'Jane Doe')).toMatchObject({
      code: 0,
      stdout: expect.stringContaining(', P4:'),
    });

    const resolved = await cli('resolve', String(id), '--note', 'cleaned /data', '--by', 'Jane Doe');
    expect(resolved.code).toBe(0);
    expect(resolved.stdout).toMatch(
      /^ticket \d+ resolved by Jane Doe, P4: .*\nwarning: the alert is still firing \(.*\); the ticket reopens at \S+Z if it still fires then\n$/,
    );
    expect(await cli('ack', String(id))).toMatchObject({ code: 1, stderr: `ticket ${id} is resolved\n` });

    const reopened = await cli('reopen', String(id), '--reason', 'customer still sees errors');
    expect(reopened).toMatchObject({ code: 0, stdout: `ticket ${id} open, P4: Disk space low on srv1\n` });
    expect(await cli('plan', String(id), 'move', 'the', 'logs', '--by', 'Sam Tech')).toMatchObject({ code: 0 });
    expect(await cli('note', '999999', 'hello')).toMatchObject({ code: 1, stderr: 'unknown ticket: 999999 (see `tickets`)\n' });

    const store = openStore(file);
    try {
      const ticket = store.tickets.get(id)!;
      expect(ticket).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'Sam Tech', planBy: 'Sam Tech', priority: 'P4', reopenCount: 1 });
      const events = store.tickets.events(id);
      expect(events.map((e) => [e.kind, e.detail])).toEqual([
        ['opened', expect.any(String)],
        ['acknowledged', 'acknowledged by Jane Doe'],
        ['deescalated', 'priority P2 -> P4 by Jane Doe: lab box'],
        ['resolved', 'cleaned /data'],
        ['reopened', `reopened by ${userInfo().username}: customer still sees errors; priority P4 kept (set by Jane Doe: lab box)`],
        ['plan', 'move the logs'],
      ]);
      expect(events.find((e) => e.kind === 'resolved')!.data).toMatchObject({ by: 'Jane Doe', stillFiring: ['/data'] });
      expect(store.influxOutbox.size()).toBeGreaterThan(0);
    } finally {
      store.close();
    }
  });
});
