// The `sla_month` writer over a real SQLite store: when it writes (every tenant every 5 minutes, a tenant whose
// ticket changed at the next check, nothing in between), what it writes (every priority and clock of the tenant's
// profile, zeros included, attainment_percent only once a clock was decided), and the month tag in each tenant's
// own zone on the evening the month turns in one zone and not in the other.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadRules } from '../../../collector/src/alerting/rules/rules-file.js';
import { openStore, type Store } from '../../../collector/src/store/index.js';
import { acknowledgeTicket, syncTicket } from '../../../collector/src/tickets/lifecycle.js';
import { createSlaMonthWriter, SLA_MONTH_EVERY_MS } from '../../../collector/src/tickets/sla-month.js';

const MIN = 60_000;
/** Saturday 31 October 2026, 23:30 UTC: already 00:30 on 1 November in Berlin (UTC+1 since the change back from summer time). */
const LATE_OCTOBER = Date.parse('2026-10-31T23:30:00Z');

const RULES = `
tenants:
  acme:
    calendars:
      business: { timezone: Europe/Berlin, days: [mon, tue, wed, thu, fri], hours: [{ start: "08:00", end: "17:00" }] }
    terms: { sla_profile: standard-8x5 }
  globex:
    terms: { sla_profile: co-managed-24x7 }
`;

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'wp-sla-month-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'rules.yaml'), RULES);
  const rules = loadRules(join(dir, 'rules.yaml'));
  const store = openStore(join(dir, 'watchpost.db'));
  stores.push(store);
  for (const id of ['acme', 'globex', 'gone']) store.tenants.add({ id, name: id });
  store.tenants.markRemoved('gone', LATE_OCTOBER - 86_400_000);
  const writer = createSlaMonthWriter({ store, rules: () => rules, host: 'collector-1' });
  const lines = () => {
    const rows = store.influxOutbox.peek(10_000);
    if (rows.length > 0) store.influxOutbox.remove(rows.at(-1)!.id);
    return rows.map((r) => r.line);
  };
  const open = (tenant: string, host: string, at: number) =>
    syncTicket(store.tickets, {
      facts: { tenant, host, agentId: `ag_${host}`, role: 'server', critical: false, tags: [] },
      ruleId: 'disk_space',
      title: `disk_space on ${host}`,
      onClear: 'resolve',
      terms: rules.terms(tenant),
      firing: [{ instance: '/', impact: 'high', summary: 'disk 95 %' }],
      cause: { kind: 'fired', instance: '/', summary: 'disk 95 %', at },
    })!;
  return { store, rules, writer, lines, open };
}

const tenantsOf = (lines: string[]) => [...new Set(lines.map((l) => /tenant=([^, ]+)/.exec(l)![1]))].sort();

describe('sla_month writer', () => {
  it('writes every live tenant every 5 minutes, a tenant whose ticket changed at the next check, and nothing else', () => {
    const { writer, lines, open } = setup();
    expect(writer.maybeWrite(LATE_OCTOBER)).toBe(12 + 4);
    expect(tenantsOf(lines())).toEqual(['acme', 'globex']);
    expect(writer.maybeWrite(LATE_OCTOBER + MIN)).toBe(0);
    // A ticket of globex changes: the engine tells its sinks, the writer writes globex alone at the next check.
    const change = open('globex', 'app01', LATE_OCTOBER + 2 * MIN);
    writer.transitions.ticket({ ticket: change.ticket, kind: 'opened', detail: '' });
    writer.transitions.ticket({ ticket: change.ticket, kind: 'updated', detail: '' });
    expect(writer.maybeWrite(LATE_OCTOBER + 2 * MIN)).toBe(4);
    expect(tenantsOf(lines())).toEqual(['globex']);
    expect(writer.maybeWrite(LATE_OCTOBER + 3 * MIN)).toBe(0);
    expect(writer.maybeWrite(LATE_OCTOBER + SLA_MONTH_EVERY_MS)).toBe(16);
  });

  it('writes each priority and clock of the profile, zeros included, and attainment_percent once a clock is decided', () => {
    const { store, writer, lines, open } = setup();
    const opened = open('globex', 'app01', LATE_OCTOBER - 30 * MIN);
    const priority = opened.ticket.priority;
    acknowledgeTicket(store.tickets, opened.ticket, 'tech', LATE_OCTOBER - 25 * MIN);
    open('globex', 'app02', LATE_OCTOBER - 10 * MIN);
    writer.maybeWrite(LATE_OCTOBER);
    const globex = lines().filter((l) => l.includes('tenant=globex'));
    // co-managed-24x7 sets respond only: one point per priority, the month in UTC.
    expect(globex).toHaveLength(4);
    expect(globex).toContain(
      `sla_month,clock=respond,host=collector-1,month=2026-10,priority=${priority},tenant=globex met=1i,breached=0i,running=1i,attainment_percent=100 ${LATE_OCTOBER}`,
    );
    const others = globex.filter((l) => !l.includes(`priority=${priority},`));
    expect(others.map((l) => l.replace(/priority=P\d/, 'priority=P'))).toEqual(
      Array(3).fill(`sla_month,clock=respond,host=collector-1,month=2026-10,priority=P,tenant=globex met=0i,breached=0i,running=0i ${LATE_OCTOBER}`),
    );
  });

  it("tags the month in each tenant's zone: Berlin's November has begun, UTC's October has not ended", () => {
    const { writer, lines } = setup();
    writer.maybeWrite(LATE_OCTOBER);
    const written = lines();
    const months = (tenant: string) => [...new Set(written.filter((l) => l.includes(`tenant=${tenant} `)).map((l) => /month=([^,]+)/.exec(l)![1]))];
    expect(months('acme')).toEqual(['2026-11']);
    expect(months('globex')).toEqual(['2026-10']);
  });
});
