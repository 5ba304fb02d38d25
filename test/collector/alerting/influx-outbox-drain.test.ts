// The InfluxDB outbox's shipper against a real influxd through the collector's writer: two shippers on two
// connections to one store (two collectors) ship every point once between them, and a batch InfluxDB could not take
// goes back to the outbox at once, claimable by any shipper, instead of waiting out its lease.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHIP_BATCH, startShipper } from '../../../collector/src/alerting/influx-outbox-drain.js';
import { createInfluxWriter } from '../../../collector/src/influx/writer.js';
import { openStore, type Store } from '../../../collector/src/store/index.js';
import { cleanupsAfterEach } from '../../helpers/cleanups.js';
import { freePort, startInfluxd, type Influxd } from '../../helpers/influxd.js';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const cleanups = cleanupsAfterEach();
let server: Influxd;
let databases = 0;

beforeAll(async () => {
  server = await startInfluxd();
});
afterAll(async () => {
  await server?.stop();
});

/** Two stores on one file (two collectors), and a writer to a fresh database of the server (or to `url`). */
async function setup(url = server.url) {
  const dir = mkdtempSync(join(tmpdir(), 'wp-shipper-'));
  const file = join(dir, 'watchpost.db');
  const stores: Store[] = [openStore(file), openStore(file)];
  const database = `ship_${++databases}`;
  const writer = createInfluxWriter({
    url,
    database,
    retentionPolicy: { name: 'raw', duration: '0s' },
    pingIntervalMs: 0,
    flushIntervalMs: 10,
    maxRetries: 0,
    logger: quiet,
  });
  if (url === server.url) await writer.ensureDatabase();
  cleanups.push(
    () => rmSync(dir, { recursive: true, force: true }),
    () => stores.forEach((s) => s.close()),
    () => writer.close(),
  );
  const count = async (): Promise<number> => {
    const res = await fetch(`${server.url}/query?db=${database}&q=${encodeURIComponent('SELECT count(v) FROM alerts')}`);
    const body = (await res.json()) as { results: Array<{ series?: Array<{ values: number[][] }> }> };
    return body.results[0]?.series?.[0]?.values[0]?.[1] ?? 0;
  };
  return { stores, writer, count };
}

describe('influx outbox shipper', () => {
  it('two collectors’ shippers ship every point once between them', async () => {
    const { stores, writer, count } = await setup();
    const t0 = Date.now() - 3_600_000;
    const lines = Array.from({ length: 3 * SHIP_BATCH + 7 }, (_, i) => `alerts,host=h${i % 100} v=${i}i ${t0 + i}`);
    stores[0]!.transaction(() => stores[0]!.influxOutbox.append(lines));
    const shippers = stores.map((s, i) => startShipper(s.influxOutbox, writer, quiet, { intervalMs: 3_600_000, owner: `c${i}` }));
    cleanups.push(() => Promise.all(shippers.map((s) => s.stop())).then(() => undefined));

    const stored = await Promise.all(shippers.map((s) => s.drain()));
    expect(stored[0]! + stored[1]!).toBe(lines.length); // a batch shipped twice would count twice
    expect(stored.every((n) => n > 0)).toBe(true);
    expect(stores[1]!.influxOutbox.size()).toBe(0);
    expect(await count()).toBe(lines.length);
  });

  it('a batch InfluxDB could not take is given back at once, for any shipper', async () => {
    const { stores, writer } = await setup(`http://127.0.0.1:${await freePort()}`); // nothing listens there
    stores[0]!.influxOutbox.append(['alerts,host=a v=1i 1', 'alerts,host=b v=2i 2']);
    const shipper = startShipper(stores[0]!.influxOutbox, writer, quiet, { intervalMs: 3_600_000, owner: 'c0' });
    cleanups.push(() => shipper.stop());
    expect(await shipper.drain()).toBe(0);
    expect(stores[0]!.influxOutbox.size()).toBe(2);
    const again = stores[1]!.influxOutbox.claim(10, 'c1/1', Date.now(), Date.now() + 60_000);
    expect(again.map((r) => r.line)).toEqual(['alerts,host=a v=1i 1', 'alerts,host=b v=2i 2']);
  });
});
