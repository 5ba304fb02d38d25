// Proof that every dashboard query works on real Watchpost data, without a Grafana server: a real influxd filled by
// the compiled agent reporting this machine through the real collector (the whole stack of test/faults/harness.ts),
// plus a ticket from a real rule breach (disk_space lowered below this machine's root filesystem, on a contract whose
// respond target is 1 s, so the SLA breach happens too). Every panel's and template variable's InfluxQL then runs
// with $tenant/$host, $timeFilter and $__interval substituted the way Grafana does (dashboards/src/interpolate.ts),
// and must parse and return at least one row.
//
// What this Linux machine cannot produce (Windows event logs, Security Center antivirus and firewall products, a
// missing critical update: apt reports none) is sent through the same collector WebSocket by a second enrolled
// identity speaking the protocol (test/helpers/agent-client.ts), shaped as the README's Measurements table describes
// the Windows agent's points. Everything else comes from the real agent.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, type watchpost } from '../../proto/index.js';
import { dashboardQueries } from '../../dashboards/src/common.js';
import { DASHBOARDS } from '../../dashboards/src/index.js';
import { interpolate } from '../../dashboards/src/interpolate.js';
import { openAgent, type TestAgent } from '../helpers/agent-client.js';
import { until } from '../helpers/until.js';
import { InfluxDB } from 'influx';
import { backfillRollups } from '../../collector/src/influx/database.js';
import { HOST, startStack, stopProc, type Proc, type Stack } from '../faults/harness.js';

const TENANT = 'dashboards';
const WINDOWS_HOST = 'WIN-PROOF01';
/** Generous for a loaded 2-core machine; the waits end as soon as the condition holds. */
const WAIT_MS = 90_000;
/** Net points per interface before a derivative over 1 s buckets has a row. */
const NET_POINTS = 3;
const INTERVAL_MS = 1000;
const HOUR_MS = 3_600_000;

/** One query of the community dashboard "Telegraf: system dashboard" (grafana.com dashboard 928), from the copy in
 *  github.com/4teamwork/grafana-telegraf-dashboard, admin_dashboard.json ("gnetId": 928), commit ba658e17dfcd; its
 *  variables are $server and $interval. */
const TELEGRAF_928_CPU =
  'SELECT mean(usage_user) as "user", mean(usage_system) as "system", mean(usage_softirq) as "softirq", mean(usage_steal) as "steal", mean(usage_nice) as "nice", mean(usage_irq) as "irq", mean(usage_iowait) as "iowait", mean(usage_guest) as "guest", mean(usage_guest_nice) as "guest_nice"  FROM "cpu" WHERE "host" = \'$server\' and cpu = \'cpu-total\' AND $timeFilter GROUP BY time($interval), *';

const str = (key: string, value: string): watchpost.v1.IField => ({ key, str: value });
const tag = (key: string, value: string): watchpost.v1.ITag => ({ key, value });

/** Windows-only points, shaped as README "Measurements" documents them. */
function windowsSamples(timeMs: number): watchpost.v1.ISample[] {
  return [
    {
      measurement: 'antivirus',
      timeMs,
      tags: [tag('product', 'Windows Defender')],
      fields: [
        str('state', 'off'),
        str('source', 'securitycenter'),
        { key: 'enabled', bool: false },
        { key: 'up_to_date', bool: false },
        { key: 'signature_age_days', float: 9.5 },
      ],
    },
    {
      measurement: 'firewall_products',
      timeMs,
      tags: [tag('product', 'ZoneAlarm Free Firewall')],
      fields: [str('state', 'on'), { key: 'enabled', bool: true }, { key: 'third_party', bool: true }],
    },
    {
      measurement: 'eventlog',
      timeMs,
      tags: [tag('channel', 'System'), tag('level', 'error'), tag('source', 'Service Control Manager')],
      fields: [str('message', 'The Print Spooler service terminated unexpectedly.'), { key: 'event_id', int: 7034 }, { key: 'record_id', int: 81234 }],
    },
    {
      measurement: 'eventlog_counts',
      timeMs: timeMs - (timeMs % 60_000),
      tags: [tag('channel', 'System'), tag('level', 'error')],
      fields: [{ key: 'count', int: 1 }],
    },
    {
      measurement: 'patches_pending',
      timeMs,
      tags: [tag('source', 'wua')],
      fields: [
        str('title', '2024-05 Cumulative Update for Windows 11 Version 23H2 for x64-based Systems (KB5037771)'),
        str('kb', 'KB5037771'),
        str('severity', 'Critical'),
        str('category', 'Security Updates'),
        { key: 'security', bool: true },
        { key: 'critical', bool: true },
      ],
    },
  ];
}

/** Resolves the tenant's open ticket of `rule` through the collector's API, as a technician would. */
async function resolveTicket(stack: Stack, tenant: string, rule: string): Promise<void> {
  const headers = { authorization: `Bearer ${stack.env.WATCHPOST_ADMIN_KEY ?? ''}`, 'content-type': 'application/json' };
  const list = (await (await fetch(`${stack.server}/api/v1/tickets?status=unresolved&tenant=${tenant}`, { headers })).json()) as {
    tickets: Array<{ id: number; ruleId: string }>;
  };
  const ticket = list.tickets.find((t) => t.ruleId === rule);
  if (!ticket) throw new Error(`no open ${rule} ticket for ${tenant}: ${JSON.stringify(list)}`);
  const res = await fetch(`${stack.server}/api/v1/tickets/${ticket.id}/resolve`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ note: 'volume extended' }),
  });
  if (res.status !== 200) throw new Error(`resolve answered ${res.status}: ${await res.text()}`);
}

describe('every dashboard query returns rows on real Watchpost data', () => {
  let stack: Stack | undefined;
  let agent: Proc | undefined;
  let windows: TestAgent | undefined;
  let startedAt = 0;

  const rowsOf = async (q: string): Promise<number> => (await stack!.query(q)).reduce((n, s) => n + (s.values as unknown[][]).length, 0);
  const waitFor = async (q: string, atLeast: number, what: string) => {
    try {
      await until(async () => (await rowsOf(q)) >= atLeast, WAIT_MS, what);
    } catch (error) {
      throw new Error(
        `${(error as Error).message}\n--- collector log (tail) ---\n${stack?.collector?.log().slice(-4000) ?? ''}\n--- agent log (tail) ---\n${agent?.log().slice(-3000) ?? ''}`,
        { cause: error },
      );
    }
  };

  beforeAll(async () => {
    startedAt = Date.now();
    stack = await startStack();
    // disk_space over this machine's root filesystem, fired at 1 % used, on a contract that must respond in 1 s:
    // a real breach, a real ticket and a real SLA breach at the engine's next tick.
    const rules = join(stack.dir, 'rules.yaml');
    writeFileSync(
      rules,
      [
        'tenants:',
        `  ${TENANT}:`,
        '    sla_profiles:',
        '      proof-fast: { hours: 24x7, respond: { P1: 1s, P2: 1s, P3: 1s, P4: 1s } }',
        '    terms: { sla_profile: proof-fast }',
        '    rules:',
        '      - { id: disk_space, for: 0s, where: { path: "/" }, levels: [ { name: critical, above: 1, clear: 0.5, impact: high } ] }',
        '',
      ].join('\n'),
    );
    stack.env.WATCHPOST_RULES_FILE = rules;
    await stack.startCollector();
    await stack.addTenant(TENANT);
    agent = stack.startAgent(await stack.enrollAgent('agent', TENANT));

    const { credential } = await stack.enrollCredential(WINDOWS_HOST, TENANT, 'win32');
    windows = await openAgent(`${stack.server.replace('http', 'ws')}/agent/v1`, credential);
    windows.send({ hello: { protocolVersion: PROTOCOL_VERSION, agentVersion: 'test', hostname: WINDOWS_HOST, os: 'win32', arch: 'x64' } });
    await windows.next((e) => e.welcome !== null && e.welcome !== undefined);
    windows.send({ batch: { seq: 1, samples: windowsSamples(Date.now()) } });
    await windows.next((e) => e.ack?.seq === 1);

    const scope = `"tenant" = '${TENANT}'`;
    await waitFor(`SELECT "uptime_seconds" FROM "agent" WHERE ${scope}`, 1, 'agent self-metrics');
    await waitFor(`SELECT "bytes_recv" FROM "net" WHERE ${scope}`, NET_POINTS, `${NET_POINTS} net points`);
    await waitFor(`SELECT "status" FROM "os_support" WHERE ${scope}`, 1, 'an os_support point (from the agent inventory)');
    await waitFor(`SELECT "pending_total" FROM "patches" WHERE ${scope}`, 1, 'a patches point');
    await waitFor(`SELECT "ticket_id" FROM "tickets" WHERE ${scope} AND "event" = 'sla_breached'`, 1, 'the SLA breach of the disk_space ticket');
    // A person resolves the disk ticket (the Windows host's antivirus tickets stay open): resolved tickets have a
    // time to resolve, and the open-tickets gauge follows.
    await resolveTicket(stack, TENANT, 'disk_space');
    await waitFor(`SELECT "open_seconds" FROM "tickets" WHERE ${scope} AND "event" = 'resolved'`, 1, 'the resolved disk_space ticket');
    await waitFor(`SELECT "count" FROM "tickets_open" WHERE ${scope}`, 1, 'a tickets_open point');
    // The continuous query fills the rollup every 5 minutes; the same SELECT INTO, run now, fills it for the proof.
    await backfillRollups(new InfluxDB({ host: '127.0.0.1', port: stack.influx.port, database: 'watchpost' }), 'watchpost', 'watchpost_raw', HOUR_MS);
  }, 300_000);

  afterAll(async () => {
    windows?.socket.close();
    await stopProc(agent);
    await stack?.close();
  });

  const run = async (query: string): Promise<number> => {
    const q = interpolate(query, {
      variables: { tenant: [TENANT], host: [HOST, WINDOWS_HOST] },
      fromMs: startedAt - HOUR_MS,
      toMs: Date.now() + 60_000,
      intervalMs: INTERVAL_MS,
    });
    return rowsOf(q);
  };

  for (const [key, build] of Object.entries(DASHBOARDS)) {
    it(`${key}: every panel and variable query parses and returns rows`, async () => {
      const failures: string[] = [];
      for (const { where, query } of dashboardQueries(build())) {
        const rows = await run(query).catch((error: Error) => error.message);
        if (typeof rows === 'string' || rows === 0) failures.push(`${where}: ${rows === 0 ? 'no rows' : rows}\n  ${query}`);
      }
      expect(failures).toEqual([]);
    });
  }

  it("the community Telegraf system dashboard's CPU query (grafana.com 928) returns rows on Watchpost data", async () => {
    expect(await run(TELEGRAF_928_CPU.replaceAll('$server', HOST).replaceAll('$interval', '$__interval'))).toBeGreaterThan(0);
  });
});
