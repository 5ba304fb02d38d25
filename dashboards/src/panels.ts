// Panel shorthands: the four visualisations the dashboards use, each with its size on the 24-column grid and its
// unit. The SDK's builders stay available to callers for anything these leave out.
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import { PanelBuilder as BarGauge } from '@grafana/grafana-foundation-sdk/bargauge';
import { BigValueGraphMode, ReduceDataOptionsBuilder, VizOrientation } from '@grafana/grafana-foundation-sdk/common';
import { PanelBuilder as Stat } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as Table } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeSeries } from '@grafana/grafana-foundation-sdk/timeseries';
import { DATASOURCE, HOST_LINK_OVERRIDE, IN_RANGE, influxql } from './common.js';

/** Grid size: width in columns (of 24), height in rows (of 30 px). */
export interface Size {
  w: number;
  h: number;
}

const SERIES: Size = { w: 12, h: 8 };
const STAT: Size = { w: 6, h: 4 };
const TABLE: Size = { w: 24, h: 9 };

/** What every panel builder of the SDK has; `place` sets it the same way for all four. */
interface Placeable<T> {
  title(title: string): T;
  datasource(datasource: typeof DATASOURCE): T;
  targets(targets: cog.Builder<cog.Dataquery>[]): T;
  span(w: number): T;
  height(h: number): T;
}

function place<T extends Placeable<T>>(builder: T, title: string, targets: cog.Builder<cog.Dataquery>[], size: Size): T {
  return builder.title(title).datasource(DATASOURCE).targets(targets).span(size.w).height(size.h);
}

const lastValue = () => new ReduceDataOptionsBuilder().calcs(['lastNotNull']);

export function timeseries(title: string, unit: string, targets: cog.Builder<cog.Dataquery>[], size = SERIES): TimeSeries {
  return place(new TimeSeries(), title, targets, size).unit(unit).fillOpacity(10);
}

/** A single number, reduced to the last value of each series. */
export function stat(title: string, unit: string, targets: cog.Builder<cog.Dataquery>[], size = STAT): Stat {
  return place(new Stat(), title, targets, size).unit(unit).graphMode(BigValueGraphMode.None).reduceOptions(lastValue());
}

/** A table; a `host` column (with a `tenant` column beside it) links to Host detail. */
export function table(title: string, targets: cog.Builder<cog.Dataquery>[], size = TABLE): Table {
  return place(new Table(), title, targets, size).overrideByName('host', HOST_LINK_OVERRIDE);
}

/** Horizontal bars of the last value per series. */
export function bars(title: string, unit: string, targets: cog.Builder<cog.Dataquery>[], size = SERIES): BarGauge {
  return place(new BarGauge(), title, targets, size).unit(unit).orientation(VizOrientation.Horizontal).reduceOptions(lastValue());
}

/** The antivirus products of the hosts in scope, as their last run reported them: one panel, in two dashboards. */
export function antivirusTable(size: Size): Table {
  return table(
    'Antivirus',
    [
      influxql(
        'A',
        `SELECT last("state") AS "state", last("up_to_date") AS "up_to_date", last("signature_age_days") AS "signature_age_days" FROM "antivirus" WHERE ${IN_RANGE} GROUP BY "tenant", "host", "product"`,
        'table',
      ),
    ],
    size,
  );
}
