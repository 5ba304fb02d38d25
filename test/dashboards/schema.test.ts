// The committed dashboard JSON checked against Grafana's dashboard model as the foundation SDK types it (the SDK
// ships no JSON schema or validator, so the required keys and shapes of its `Dashboard`, `Panel` and `VariableModel`
// types are checked here at runtime, on the files Grafana will read), plus what ties the files together: the
// provisioned datasource uid, the variables the queries use, the dashboards the links point at.
import { readFileSync } from 'node:fs';
import { defaultDashboard, type Dashboard, type Panel } from '@grafana/grafana-foundation-sdk/dashboard';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { DATASOURCE_UID, UID, type InfluxQLTarget } from '../../dashboards/src/common.js';
import { DASHBOARDS } from '../../dashboards/src/index.js';

/** Panel plugins the dashboards may use (the SDK's panel packages of those names). */
const PANEL_TYPES = ['timeseries', 'stat', 'table', 'bargauge'];
/** Grafana's grid is 24 columns wide. */
const GRID_COLUMNS = 24;
/** Grafana's own variables and the InfluxDB alias patterns a query or alias may use besides the dashboard's. */
const BUILT_IN = /^\$(timeFilter|__interval|__interval_ms|tag_\w+|col)$/;

const files = Object.keys(DASHBOARDS).map((key) => `dashboards/${key}.json`);

describe.each(files)('%s', (file) => {
  const dashboard = JSON.parse(readFileSync(file, 'utf8')) as Dashboard;
  const panels = (dashboard.panels ?? []) as Panel[];

  it("has the Dashboard type's required keys, at the SDK's schema version", () => {
    expect(dashboard.schemaVersion).toBe(defaultDashboard().schemaVersion);
    expect(typeof dashboard.title).toBe('string');
    expect(dashboard.uid).toMatch(/^[a-z0-9-]{1,40}$/);
    expect(Object.values(UID)).toContain(dashboard.uid);
    expect(dashboard.templating.list?.map((v) => [v.type, v.name])).toEqual([
      ['query', 'tenant'],
      ['query', 'host'],
    ]);
    expect(typeof dashboard.annotations).toBe('object');
    expect(dashboard.time).toEqual({ from: expect.stringMatching(/^now-\d+[hd]$/), to: 'now' });
  });

  it('panels: known types, unique ids, on the 24-column grid, InfluxQL targets on the provisioned datasource', () => {
    expect(panels.length).toBeGreaterThan(0);
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    for (const panel of panels) {
      expect(PANEL_TYPES, panel.title).toContain(panel.type);
      const { x, y, w, h } = panel.gridPos!;
      expect([x, y, w, h].every(Number.isInteger), panel.title).toBe(true);
      expect(x + w, panel.title).toBeLessThanOrEqual(GRID_COLUMNS);
      expect(panel.datasource).toEqual({ type: 'influxdb', uid: DATASOURCE_UID });
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const target of (panel.targets ?? []) as unknown as InfluxQLTarget[]) {
        expect(target).toMatchObject({
          refId: expect.any(String),
          rawQuery: true,
          query: expect.stringMatching(/^SELECT /),
          datasource: { uid: DATASOURCE_UID },
        });
        expect(['time_series', 'table']).toContain(target.resultFormat);
      }
    }
  });

  it('every $variable a query uses is a dashboard variable or a Grafana built-in', () => {
    const names = new Set((dashboard.templating.list ?? []).map((v) => `$${v.name}`));
    const texts = [
      ...panels.flatMap((p) => ((p.targets ?? []) as unknown as InfluxQLTarget[]).flatMap((t) => [t.query, t.alias ?? ''])),
      ...(dashboard.templating.list ?? []).map((v) => String(v.query)),
    ];
    const used = new Set(texts.flatMap((t) => t.match(/\$\w+/g) ?? []));
    expect([...used].filter((v) => !names.has(v) && !BUILT_IN.test(v))).toEqual([]);
  });

  it('links point at dashboards that exist', () => {
    const urls = JSON.stringify(dashboard).match(/\/d\/[a-z0-9-]+/g) ?? [];
    for (const url of urls) expect(Object.values(UID)).toContain(url.slice(3));
  });
});

describe('provisioning', () => {
  it('the datasource has the uid the dashboards ask for, InfluxQL on database watchpost', () => {
    const { datasources } = parse(readFileSync('dashboards/provisioning/datasources/watchpost.yaml', 'utf8')) as { datasources: Record<string, unknown>[] };
    expect(datasources).toEqual([
      expect.objectContaining({ uid: DATASOURCE_UID, type: 'influxdb', jsonData: expect.objectContaining({ dbName: 'watchpost' }) }),
    ]);
  });

  it('the dashboard provider reads files from a folder', () => {
    const { providers } = parse(readFileSync('dashboards/provisioning/dashboards/watchpost.yaml', 'utf8')) as { providers: Record<string, unknown>[] };
    expect(providers).toEqual([expect.objectContaining({ type: 'file', options: expect.objectContaining({ path: expect.any(String) }) })]);
  });

  it('Fleet overview links hosts to Host detail', () => {
    expect(readFileSync('dashboards/fleet-overview.json', 'utf8')).toContain(
      `/d/${UID.host}?var-tenant=\${__data.fields.tenant}&var-host=\${__data.fields.host}`,
    );
  });
});
