// Keeps the measurement reference (the probes' README.md and the measurements.md files, rendered into
// docs/measurements.md) in step with the collector's measurement schema (collector/src/agent-link/admission/catalogue.ts):
// every field the reference names has the catalogue's type, every catalogue field is documented, and the
// collector's own measurements are documented with the types their writers give them. (Tests may import both
// sides; the code never does.)
import { describe, expect, it } from 'vitest';
import { probes } from '../../../../agent/src/probes/index.js';
import { AGENT_MEASUREMENTS, COLLECTOR_MEASUREMENTS, type FieldType } from '../../../../collector/src/agent-link/admission/catalogue.js';
import { rejectionSamples } from '../../../../collector/src/agent-link/admission/refusals.js';
import { osSupportSample } from '../../../../collector/src/os-support/os-support.js';
import { compliancePoint } from '../../../../collector/src/compliance/engine.js';
import { patchStatusSample } from '../../../../collector/src/patching/gauge.js';
import { createTransitions } from '../../../../collector/src/alerting/influx-outbox-feed.js';
import { createTicketGauge } from '../../../../collector/src/tickets/gauge.js';
import { slaMonthSamples } from '../../../../collector/src/tickets/sla-month.js';
import type { InfluxOutbox } from '../../../../collector/src/store/index.js';
import type { watchpost } from '../../../../proto/index.js';
import { loadReferences, type MeasurementReference } from '../../../../scripts/lib/measurement-reference.js';

const references = loadReferences(Object.keys(probes));
const documented = new Map<string, { path: string; measurement: MeasurementReference }>(
  references.flatMap((r) => r.measurements.map((m) => [m.name, { path: r.path, measurement: m }] as const)),
);

/** `name type` lines, sorted: how a failure shows which field differs. */
const typed = (fields: Iterable<readonly [string, string]>): string[] => [...fields].map(([name, type]) => `${name} ${type}`).sort();
const catalogueFields = (measurement: string): string[] =>
  typed(Object.entries(AGENT_MEASUREMENTS[measurement]!).flatMap(([type, names]) => names!.map((name) => [name, type as FieldType] as const)));
const documentedFields = (measurement: string): string[] => typed(documented.get(measurement)!.measurement.fields.map((f) => [f.name, f.type] as const));

describe('the reference and the catalogue of what agents write', () => {
  it.each(Object.keys(AGENT_MEASUREMENTS))('%s: documented beside the agent code, with exactly the catalogue fields and types', (measurement) => {
    expect(documented.get(measurement)?.path, `${measurement} has no reference`).toMatch(/^agent\//);
    expect(documentedFields(measurement)).toEqual(catalogueFields(measurement));
  });

  it('every measurement the reference names is in the catalogue: the agents’ or the collector’s', () => {
    const unknown = [...documented.keys()].filter((m) => !(m in AGENT_MEASUREMENTS) && !COLLECTOR_MEASUREMENTS.has(m));
    expect(unknown).toEqual([]);
  });

  it("the collector's own measurements are documented beside the collector code that writes them", () => {
    for (const measurement of COLLECTOR_MEASUREMENTS) expect(documented.get(measurement)?.path, measurement).toMatch(/^collector\//);
  });
});

/** InfluxDB's type of each field of line-protocol lines, by measurement (strings, integers `1i`, booleans, floats). */
function lineFields(lines: readonly string[]): Map<string, Map<string, FieldType>> {
  const out = new Map<string, Map<string, FieldType>>();
  for (const line of lines) {
    const head = /^((?:[^\\, ]|\\.)+)(?:,(?:[^\\ ]|\\.)*)? /.exec(line);
    if (!head) throw new Error(`not line protocol: ${line}`);
    const measurement = head[1]!.replace(/\\(.)/g, '$1');
    const fields = out.get(measurement) ?? new Map<string, FieldType>();
    out.set(measurement, fields);
    const field = /((?:[^\\,= ]|\\.)+)=("(?:[^\\"]|\\.)*"|[^, ]+)/y;
    field.lastIndex = head[0].length;
    for (let m = field.exec(line); m; field.lastIndex++, m = field.exec(line)) {
      const value = m[2]!;
      const type: FieldType = value.startsWith('"') ? 'string' : /^-?\d+i$/.test(value) ? 'integer' : /^(true|false)$/.test(value) ? 'boolean' : 'float';
      fields.set(m[1]!.replace(/\\(.)/g, '$1'), type);
      if (line[field.lastIndex] !== ',') break;
    }
  }
  return out;
}

const wireFields = (samples: readonly watchpost.v1.ISample[]): Map<string, Map<string, FieldType>> => {
  const out = new Map<string, Map<string, FieldType>>();
  for (const s of samples) {
    const fields = out.get(s.measurement!) ?? new Map<string, FieldType>();
    out.set(s.measurement!, fields);
    for (const f of s.fields ?? []) fields.set(f.key!, f.str != null ? 'string' : f.int != null ? 'integer' : f.bool != null ? 'boolean' : 'float');
  }
  return out;
};

describe("the reference and the collector's own writers", () => {
  const now = Date.UTC(2026, 10, 23, 9);
  const lines: string[] = [];
  const outbox = { append: (l: readonly string[]) => void lines.push(...l) } as Pick<InfluxOutbox, 'append'> as InfluxOutbox;
  // Every optional field of each writer, at least once.
  const transitions = createTransitions(outbox, () => now);
  const key = { tenant: 'acme', host: 'srv1', ruleId: 'disk_space', instance: '/data' };
  const event = (kind: string, value: number | string) => ({ kind, summary: 'disk /data at 97 %', value, at: now, level: 'critical', impact: 'medium' });
  transitions.alert(key as never, event('firing', 97) as never, { status: 'firing' } as never, { kind: 'window', id: 3 } as never);
  transitions.alert(key as never, event('resolved', 'ok') as never, { status: 'inactive' } as never, null);
  const ticket = {
    id: 7,
    tenant: 'acme',
    host: 'srv1',
    ruleId: 'disk_space',
    priority: 'P2',
    status: 'resolved',
    summary: 'disk /data at 97 %',
    reopenCount: 1,
    openedAt: now - 3_600_000,
    resolvedAt: now,
    updatedAt: now,
    sla: ['respond', 'plan', 'resolve'].map((target) => ({ target, dueAt: now + 3_600_000 })),
  };
  transitions.ticket({ ticket: ticket as never, kind: 'resolved', detail: '' });
  transitions.ticket({ ticket: ticket as never, kind: 'sla_breached', detail: '' }, 'respond');
  const openSummary = () => [{ tenant: 'acme', priority: 'P2', status: 'open', count: 2, slaApproaching: 1, slaBreached: 0 }];
  createTicketGauge({ openSummary } as never, outbox, 'collector-1').maybeWrite(now);
  const written = lineFields(lines);
  const direct = wireFields([
    ...rejectionSamples([{ reason: 'field_type', detail: 'cpu usage_idle is string, the schema says float' }], now),
    osSupportSample(
      { family: 'windows', name: 'Windows 11 Pro', version: '10.0.22631' } as never,
      { supported: true, release: 'Windows 11 23H2', endOfSupport: '2026-11-10', daysLeft: 30 } as never,
      now,
    ),
    compliancePoint(
      // Waived, so the point carries every field it can (waived, waiver_id).
      {
        standard: 'backup',
        verdict: 'fail',
        reason: 'last successful backup 30 hours ago',
        since: now,
        waiver: { id: 3, reason: 'NAS', by: 'Jane', expiresAt: now },
      },
      'pass',
      { verdict: 'fail', reason: '', evidence: { measurement: 'backup', time: now, fields: {} } },
      now,
    ),
    patchStatusSample('pilot', now, { approved: 3, installed: 2, failed: 1, pending: 4, declined: 0 }),
    ...slaMonthSamples(
      '2026-11',
      [{ priority: 'P2', target: 'respond', goal: '2h', met: 3, breached: 1, running: 1, metPercent: 75, medianMs: 1, worstMs: 2 }],
      now,
    ),
  ]);

  it.each([...COLLECTOR_MEASUREMENTS])('%s: the documented fields are the ones its writer writes, with the same types', (measurement) => {
    const fields = written.get(measurement) ?? direct.get(measurement);
    expect(fields, `no ${measurement} point was written`).toBeDefined();
    expect(documentedFields(measurement)).toEqual(typed(fields!));
  });
});
