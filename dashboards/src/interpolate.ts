// Grafana's variable substitution for raw InfluxQL, as its InfluxDB datasource does it, for running the dashboards'
// queries outside Grafana (the proof test). Pure.
//   $tenant, $host   inside /^...$/ regexes: one value regex-escaped, several as (a|b), All as the allValue `.*`
//   $timeFilter      time >= <from>ms and time <= <to>ms
//   $__interval      Grafana's interval text (10s, 1m, 2h), $__interval_ms its milliseconds

export interface QueryScope {
  /** Chosen values of each variable by name; an empty list means All. */
  variables: Record<string, string[]>;
  fromMs: number;
  toMs: number;
  intervalMs: number;
}

/** The value a multi-value variable set to All renders as (the dashboards' allValue). */
export const ALL_VALUE = '.*';

const escapeRegex = (value: string): string => value.replace(/[\\^$*+?.()|[\]{}/]/g, '\\$&');

function renderValues(values: string[]): string {
  if (values.length === 0) return ALL_VALUE;
  const escaped = values.map(escapeRegex);
  return escaped.length === 1 ? escaped[0]! : `(${escaped.join('|')})`;
}

/** Grafana's interval text: the largest unit that divides it (ms, s, m, h, d). */
export function intervalText(ms: number): string {
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ];
  for (const [unit, size] of units) if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

export function interpolate(query: string, scope: QueryScope): string {
  return query
    .replaceAll('$timeFilter', `time >= ${scope.fromMs}ms and time <= ${scope.toMs}ms`)
    .replaceAll('$__interval_ms', String(scope.intervalMs))
    .replaceAll('$__interval', intervalText(scope.intervalMs))
    .replace(/\$(\w+)/g, (whole, name: string) => (name in scope.variables ? renderValues(scope.variables[name]!) : whole));
}
