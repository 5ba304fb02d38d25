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

/** Queries of dashboards made for Telegraf's host plugins, one or more per measurement, each with its source. Those
 *  of dashboard 928 (copy cited above) keep its variables: $server is the host, $interval Grafana's interval, $disk
 *  and $netif any device, $mountpoint the root. Chronograf's host list names the retention policy `autogen`
 *  explicitly, as Chronograf's pages do: its queries (from a Chronograf-derived server list in the code-search index,
 *  file id 60363491792, repository not named) read `"Default"."autogen"`, here `"watchpost"."autogen"`, with
 *  :dashboardTime: as the last hour and :interval: as Grafana's $__interval (1 s here). Written in their style where neither has one (marked).
 *  Left out: 928's "TCP handshake issues" (net's interface=all protocol counters, which Telegraf removed in 1.37 for
 *  its nstat plugin), its linux_sysctl_fs panel (a plugin Watchpost does not mirror) and n_users/n_unique_users (this
 *  machine has no utmp; the system probe's tests build one). */
const TELEGRAF_STYLE: { measurement: string; source: string; query: string }[] = [
  { measurement: 'cpu', source: '928 CPU usage', query: TELEGRAF_928_CPU },
  {
    measurement: 'cpu',
    source: 'Chronograf server-list-cpu',
    query: `SELECT last("usage_system") + last("usage_user") AS "CPU Usage", last("usage_idle") AS "CPU Idle", last("usage_iowait") AS "CPU IOWait" FROM "watchpost"."autogen"."cpu" WHERE time > now() - 1h AND "cpu"='cpu-total' GROUP BY "host" FILL(null)`,
  },
  {
    measurement: 'mem',
    source: '928 Memory usage',
    query:
      'SELECT mean(total) as total, mean(used) as used, mean(cached) as cached, mean(free) as free, mean(buffered) as buffered, mean(available) as available  FROM "mem" WHERE host = \'$server\' AND $timeFilter GROUP BY time($interval), host ORDER BY asc',
  },
  {
    measurement: 'mem',
    source: 'Chronograf server-list-mem',
    query: `SELECT last("used_percent") AS "Mem Usage", last("total") AS "Mem Total", last("used") AS "Mem Used", last("free") AS "Mem Free", last("shared") AS "Mem Shared", last("buffered") AS "Mem Buffered", last("cached") AS "Mem Cached", last("available") AS "Mem Available" FROM "watchpost"."autogen"."mem" WHERE time > now() - 1h GROUP BY "host" FILL(null)`,
  },
  {
    measurement: 'disk',
    source: '928 Disk inodes for $mountpoint',
    query:
      'SELECT mean(inodes_free) + mean(inodes_used) as "total" FROM "disk" WHERE "host" = \'$server\'  AND "path" =~ /^$mountpoint$/ AND $timeFilter GROUP BY time($interval), "host", "path"',
  },
  {
    measurement: 'disk',
    source: 'Chronograf server-list-disk-usage',
    query: `SELECT "path" AS "Path", max("Disk Usage") AS "Disk Usage" FROM (SELECT last("used_percent") AS "Disk Usage" FROM "watchpost"."autogen"."disk" WHERE time > now() - 1h AND path !~ /^\\/boot/ AND path !~ /^\\/run/ GROUP BY "path") GROUP BY "host"`,
  },
  {
    measurement: 'disk',
    source: 'in the style of both: inodes_used_percent',
    query: `SELECT last("inodes_used_percent") FROM "watchpost"."autogen"."disk" WHERE "host" = '$server' AND $timeFilter GROUP BY "path"`,
  },
  {
    measurement: 'diskio',
    source: '928 Disk I/O bytes for /dev/$disk',
    query:
      'SELECT non_negative_derivative(mean(read_bytes),1s) as "read" FROM "diskio" WHERE "host" = \'$server\' AND "name" =~ /$disk$/  AND $timeFilter GROUP BY time($interval), *',
  },
  {
    measurement: 'diskio',
    source: '928 Disk I/O time for /dev/$disk',
    query:
      'SELECT non_negative_derivative(mean(write_time),1s) as "write" FROM "diskio" WHERE "host" = \'$server\' AND "name" =~ /$disk$/ AND $timeFilter GROUP BY time($interval), *',
  },
  {
    measurement: 'diskio',
    source: 'Chronograf server-list-disk-io',
    query: `SELECT "name" AS "Device", max("io_time") AS "Disk I/O %" FROM (SELECT non_negative_derivative(max("io_time"),1s) / 10 AS "io_time" FROM "watchpost"."autogen"."diskio" WHERE time > now() - 3m GROUP BY time($__interval), "name" LIMIT 1) GROUP BY "host"`,
  },
  {
    measurement: 'net',
    source: '928 Network Usage',
    query:
      'SELECT non_negative_derivative(mean(bytes_recv),1s)*8 as "in"  FROM "net" WHERE host = \'$server\' AND interface =~ /$netif/ AND $timeFilter GROUP BY time($interval), * fill(none)',
  },
  {
    measurement: 'net',
    source: 'Chronograf server-list-network',
    query: `SELECT "interface" AS "Network Interface", max("traffic") AS "Network Traffic" FROM (SELECT non_negative_derivative(max("bytes_recv"),1s) + non_negative_derivative(max("bytes_sent"),1s) AS "traffic" FROM "watchpost"."autogen"."net" WHERE time > now() - 3m GROUP BY time($__interval), "interface" LIMIT 1) GROUP BY "host"`,
  },
  {
    measurement: 'netstat',
    source: '928 TCP connections',
    query:
      'SELECT mean(tcp_close) as CLOSED, mean(tcp_close_wait) as CLOSE_WAIT, mean(tcp_closing) as CLOSING, mean(tcp_established) as ESTABLISHED, mean(tcp_fin_wait1) as FIN_WAIT1, mean(tcp_fin_wait2) as FIN_WAIT2, mean(tcp_last_ack) as LAST_ACK, mean(tcp_syn_recv) as SYN_RECV, mean(tcp_syn_sent) as SYN_SENT, mean(tcp_time_wait) as TIME_WAIT FROM "netstat" WHERE host = \'$server\' AND $timeFilter GROUP BY time($interval), host ORDER BY asc',
  },
  {
    measurement: 'netstat',
    source: 'in the style of Chronograf: listening sockets, UDP sockets',
    query: `SELECT last("tcp_listen") AS "TCP listen", last("udp_socket") AS "UDP sockets" FROM "watchpost"."autogen"."netstat" WHERE time > now() - 1h GROUP BY "host"`,
  },
  {
    measurement: 'system',
    source: '928 Load averages',
    query:
      'SELECT mean(load1) as short,mean(load5) as medium,mean(load15) as long FROM "system" WHERE host = \'$server\' AND $timeFilter GROUP BY time($interval), * ORDER BY asc',
  },
  {
    measurement: 'system',
    source: 'an "Uptime" singlestat on uptime_format, naming autogen',
    query: `SELECT last("uptime_format") AS "uptime", last("n_cpus") AS "cpus", last("load1") AS "load" FROM "watchpost"."autogen"."system" WHERE "host" = '$server' AND $timeFilter`,
  },
  {
    measurement: 'processes',
    source: '928 Processes',
    query:
      'SELECT mean(running) as running, mean(blocked) as blocked, mean(sleeping) as sleeping, mean(stopped) as stopped, mean(zombies) as zombies FROM "processes" WHERE host = \'$server\' AND $timeFilter GROUP BY time($interval), host ORDER BY asc',
  },
  {
    measurement: 'processes',
    source: "928 Threads (the builder's last(total_threads)), naming autogen",
    query: `SELECT last("total_threads") FROM "autogen"."processes" WHERE "host" = '$server' AND $timeFilter`,
  },
  {
    measurement: 'swap',
    source: '928 Swap I/O bytes',
    query:
      'SELECT non_negative_derivative(mean("in")) as "in", non_negative_derivative(mean("out")) as "out" FROM "swap" WHERE host = \'$server\' AND $timeFilter GROUP BY time($interval), host ORDER BY asc',
  },
  {
    measurement: 'swap',
    source: '928 Swap usage (bytes)',
    query:
      'SELECT mean(used) as "used", mean(total) as "total" FROM "swap" WHERE host = \'$server\' AND $timeFilter GROUP BY time($interval), host ORDER BY asc',
  },
  {
    measurement: 'kernel',
    source: '928 Context switches',
    query:
      'SELECT non_negative_derivative(mean(context_switches),1s)as "context switches"  FROM "kernel" WHERE host = \'$server\' AND $timeFilter GROUP BY time($interval), host ORDER BY asc',
  },
  {
    measurement: 'kernel',
    source: '928 Forks',
    query:
      'SELECT non_negative_derivative(mean(processes_forked),1s) as forks FROM "kernel" WHERE "host" = \'$server\' AND $timeFilter GROUP BY time($interval), host fill(null)',
  },
  {
    measurement: 'kernel',
    source: 'in the style of Chronograf: boot time and interrupts, naming autogen',
    query: `SELECT last("boot_time") AS "boot", last("interrupts") AS "interrupts", last("entropy_avail") AS "entropy" FROM "watchpost"."autogen"."kernel" WHERE time > now() - 1h GROUP BY "host"`,
  },
];

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
        '    terms: { sla_profile: proof-fast, patches: { window: { cron: "0 0 2 * * 6", duration: 4h } } }',
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
    // The counter measurements (diskio, swap, kernel) run at the same 1 s cadence: kernel has one series per host.
    await waitFor(`SELECT "context_switches" FROM "kernel" WHERE ${scope}`, NET_POINTS, `${NET_POINTS} kernel points`);
    await waitFor(`SELECT "status" FROM "os_support" WHERE ${scope}`, 1, 'an os_support point (from the agent inventory)');
    await waitFor(`SELECT "pending_total" FROM "patches" WHERE ${scope}`, 1, 'a patches point');
    await waitFor(`SELECT "ticket_id" FROM "tickets" WHERE ${scope} AND "event" = 'sla_breached'`, 1, 'the SLA breach of the disk_space ticket');
    // A person resolves the disk ticket (the Windows host's antivirus tickets stay open): resolved tickets have a
    // time to resolve, and the open-tickets gauge follows.
    await resolveTicket(stack, TENANT, 'disk_space');
    await waitFor(`SELECT "open_seconds" FROM "tickets" WHERE ${scope} AND "event" = 'resolved'`, 1, 'the resolved disk_space ticket');
    await waitFor(`SELECT "count" FROM "tickets_open" WHERE ${scope}`, 1, 'a tickets_open point');
    // The collector's month-to-date SLA figures (written within 15 s of a ticket change) and the minimum-standard
    // verdicts of both hosts: the Windows host's antivirus is off, a failing verdict.
    await waitFor(`SELECT "met" FROM "sla_month" WHERE "tenant" = '${TENANT}'`, 1, 'an sla_month point');
    await waitFor(`SELECT "reason" FROM "compliance" WHERE ${scope} AND "verdict" = 'fail'`, 1, 'a failing compliance verdict');
    // The patch management gauge of the tenant's policy (its first write within 15 s of the start).
    await waitFor(`SELECT "pending" FROM "patch_status" WHERE "tenant" = '${TENANT}'`, 1, 'a patch_status point');
    // The continuous query fills the rollup every 5 minutes; the same SELECT INTO, run now, fills it for the proof.
    await backfillRollups(new InfluxDB({ host: '127.0.0.1', port: stack.influx.port, database: 'watchpost' }), 'watchpost', 'autogen', HOUR_MS);
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

  /** Every selected column (all but time) with at least one value: a field Watchpost does not write is a null column. */
  const emptyColumns = async (query: string): Promise<string[]> => {
    const q = interpolate(
      query
        .replaceAll('$server', HOST)
        .replaceAll('$interval', '$__interval')
        .replaceAll('$disk', '.*')
        .replaceAll('$netif', '.*')
        .replaceAll('$mountpoint', '\\/'),
      { variables: { tenant: [TENANT], host: [HOST] }, fromMs: startedAt - HOUR_MS, toMs: Date.now() + 60_000, intervalMs: INTERVAL_MS },
    );
    const series = await stack!.query(q);
    if (series.length === 0) return ['(no series)'];
    const columns = series[0]!.columns.slice(1);
    return columns.filter((_c, i) => !series.some((s) => s.values.some((row) => row[i + 1] !== null && row[i + 1] !== undefined)));
  };

  it("dashboards made for Telegraf's host plugins read every measurement, and queries that name autogen see the raw points", async () => {
    const measurements = ['cpu', 'mem', 'disk', 'diskio', 'net', 'netstat', 'system', 'processes', 'swap', 'kernel'];
    expect([...new Set(TELEGRAF_STYLE.map((t) => t.measurement))].sort()).toEqual([...measurements].sort());
    const failures: string[] = [];
    for (const { source, query } of TELEGRAF_STYLE) {
      const empty = await emptyColumns(query).catch((error: Error) => [error.message]);
      if (empty.length > 0) failures.push(`${source}: ${empty.join(', ')}\n  ${query}`);
    }
    expect(failures).toEqual([]);
  });
});
