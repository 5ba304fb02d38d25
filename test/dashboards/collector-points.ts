// For dashboard tests over points the collector itself writes: a real influxd, the collector's InfluxDB writer and
// outbox shipper moving a store's outbox into it (as serve does), and a dashboard panel's query run with Grafana's
// substitutions, its rows read back as objects (a series' tags as columns, as Grafana's table format shows them).
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { dashboardQueries } from '../../dashboards/src/common.js';
import { interpolate, type QueryScope } from '../../dashboards/src/interpolate.js';
import { startShipper } from '../../collector/src/alerting/influx-outbox-drain.js';
import { createInfluxWriter, type InfluxWriter } from '../../collector/src/influx/writer.js';
import type { Store } from '../../collector/src/store/index.js';
import { startInfluxd, type Influxd } from '../helpers/influxd.js';

export const DB = 'watchpost';
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

export type Row = Record<string, unknown>;

export interface CollectorInflux {
  influx: Influxd;
  /** Moves everything in the store's InfluxDB outbox into influxd through the collector's shipper and writer. */
  ship(store: Store): Promise<number>;
  /** Runs InfluxQL (times as epoch ms); one object per row, with the series' tags. */
  rows(query: string): Promise<Row[]>;
  stop(): Promise<void>;
}

export async function startCollectorInflux(): Promise<CollectorInflux> {
  const influx = await startInfluxd();
  const writer: InfluxWriter = createInfluxWriter({ url: influx.url, database: DB, pingIntervalMs: 0, logger: quiet });
  await writer.ensureDatabase();
  return {
    influx,
    async ship(store) {
      const shipper = startShipper(store.influxOutbox, writer, quiet, 60_000);
      try {
        const stored = await shipper.drain();
        if (store.influxOutbox.size() > 0) throw new Error(`the outbox kept ${store.influxOutbox.size()} points`);
        return stored;
      } finally {
        await shipper.stop();
      }
    },
    async rows(query) {
      const res = await fetch(`${influx.url}/query?db=${DB}&epoch=ms&q=${encodeURIComponent(query)}`);
      const body = (await res.json()) as {
        results: { error?: string; series?: { tags?: Record<string, string>; columns: string[]; values: unknown[][] }[] }[];
      };
      const result = body.results[0];
      if (result?.error) throw new Error(`${result.error}: ${query}`);
      return (result?.series ?? []).flatMap((s) => s.values.map((v) => ({ ...s.tags, ...Object.fromEntries(s.columns.map((c, i) => [c, v[i]])) })));
    },
    async stop() {
      await writer.close();
      await influx.stop();
    },
  };
}

/** The InfluxQL of one panel target of a dashboard, by the panel's title and the target's refId. */
export function panelQuery(dashboard: Dashboard, title: string, refId = 'A'): string {
  const found = dashboardQueries(dashboard).find((q) => q.where === `panel "${title}" ${refId}`);
  if (!found) throw new Error(`no panel "${title}" ${refId} in ${dashboard.title ?? ''}`);
  return found.query;
}

/** The query as Grafana sends it for the scope (tenant and host variables, time range, interval). */
export const forScope = (query: string, scope: Partial<QueryScope> & Pick<QueryScope, 'variables'>): string =>
  interpolate(query, { fromMs: Date.now() - 86_400_000, toMs: Date.now() + 60_000, intervalMs: 60_000, ...scope });
