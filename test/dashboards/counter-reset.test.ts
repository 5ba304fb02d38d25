// A reboot resets every counter Telegraf writes (net, diskio, swap in/out, kernel): the shipped dashboards must not
// draw it as a dive below zero. A real influxd gets a host's counters growing for ten minutes, dropping to nearly
// zero at a reboot and growing again; every dashboard query that reads one of these measurements then runs with
// Grafana's substitutions and must return rows, none of them negative. The same data through a plain `derivative`
// does go negative: the reset is really in the data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardQueries } from '../../dashboards/src/common.js';
import { DASHBOARDS } from '../../dashboards/src/index.js';
import { interpolate } from '../../dashboards/src/interpolate.js';
import { startInfluxd, type Influxd } from '../helpers/influxd.js';

const DB = 'watchpost';
const TENANT = 'acme';
const HOST = 'SRV-REBOOT01';
const STEP_S = 10;
const POINTS = 120; // 20 minutes
const REBOOT_AT = 60; // the 61st point is the first after the reboot
const T0_S = Math.floor(Date.now() / 1000) - POINTS * STEP_S - 60;
const INTERVAL_MS = 30_000;
const COUNTER_MEASUREMENTS = ['net', 'diskio', 'swap', 'kernel'];

/** A counter that grows by `perStep` (with a little wobble) and starts again from a small value at the reboot. */
function counter(i: number, perStep: number): number {
  const since = i < REBOOT_AT ? i + 1000 : i - REBOOT_AT + 1;
  return Math.round(since * perStep * (1 + (i % 3) / 10));
}

function lines(): string {
  const out: string[] = [];
  for (let i = 0; i < POINTS; i++) {
    const ns = `${T0_S + i * STEP_S}000000000`;
    const tags = `host=${HOST},tenant=${TENANT}`;
    const c = (name: string, perStep: number) => `${name}=${counter(i, perStep)}i`;
    out.push(`net,${tags},interface=eth0 ${[c('bytes_recv', 5e6), c('bytes_sent', 1e6), c('packets_recv', 4000), c('packets_sent', 900)].join(',')} ${ns}`);
    out.push(
      `diskio,${tags},name=sda ${[
        c('reads', 300),
        c('writes', 500),
        c('read_bytes', 12e6),
        c('write_bytes', 20e6),
        c('read_time', 900),
        c('write_time', 2500),
        c('io_time', 4000),
        c('weighted_io_time', 9000),
        'iops_in_progress=2i',
      ].join(',')} ${ns}`,
    );
    out.push(`swap,${tags} total=4294967296i,used=1073741824i,free=3221225472i,used_percent=25,${c('in', 40960)},${c('out', 81920)} ${ns}`);
    out.push(`kernel,${tags} ${[c('context_switches', 90_000), c('interrupts', 40_000), c('processes_forked', 50)].join(',')},boot_time=${T0_S}i ${ns}`);
  }
  return out.join('\n');
}

let influx: Influxd;

async function query(q: string): Promise<unknown[][]> {
  const res = await fetch(`${influx.url}/query?db=${DB}&epoch=ms&q=${encodeURIComponent(q)}`);
  const body = (await res.json()) as { results: { error?: string; series?: { values: unknown[][] }[] }[] };
  const result = body.results[0];
  if (result?.error) throw new Error(`${result.error}: ${q}`);
  return (result?.series ?? []).flatMap((s) => s.values);
}

const run = (q: string) =>
  query(interpolate(q, { variables: { tenant: [TENANT], host: [HOST] }, fromMs: T0_S * 1000, toMs: (T0_S + POINTS * STEP_S) * 1000, intervalMs: INTERVAL_MS }));

beforeAll(async () => {
  influx = await startInfluxd();
  await fetch(`${influx.url}/query?q=${encodeURIComponent(`CREATE DATABASE ${DB}`)}`, { method: 'POST' });
  const res = await fetch(`${influx.url}/write?db=${DB}&precision=ns`, { method: 'POST', body: lines() });
  if (res.status !== 204) throw new Error(`write answered ${res.status}: ${await res.text()}`);
});
afterAll(async () => {
  await influx?.stop();
});

describe('a counter reset after a reboot in the shipped dashboards', () => {
  it('the data has the reset: a plain derivative of it goes below zero', async () => {
    const rows = await run(
      `SELECT derivative(max("bytes_recv"), 1s) FROM "net" WHERE "host" =~ /^$host$/ AND $timeFilter GROUP BY time($__interval) fill(null)`,
    );
    expect(rows.some(([, v]) => typeof v === 'number' && v < 0)).toBe(true);
  });

  const reading = Object.entries(DASHBOARDS).flatMap(([key, build]) =>
    dashboardQueries(build())
      .filter(({ query: q }) => COUNTER_MEASUREMENTS.some((m) => q.includes(`FROM "${m}"`)))
      .map(({ where, query: q }) => ({ name: `${key}: ${where}`, query: q })),
  );

  it('some dashboard panels read each counter measurement', () => {
    for (const m of COUNTER_MEASUREMENTS) expect(reading.some((r) => r.query.includes(`FROM "${m}"`))).toBe(true);
  });

  it.each(reading.map((r) => [r.name, r.query]))('%s: rows, none below zero', async (_name, q) => {
    const rows = await run(q);
    expect(rows.length).toBeGreaterThan(0);
    const negative = rows.filter((row) => row.slice(1).some((v) => typeof v === 'number' && v < 0));
    expect(negative).toEqual([]);
  });
});
