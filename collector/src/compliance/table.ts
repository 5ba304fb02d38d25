// The current compliance table of a tenant as the API and the CLI show it: one row per live host and standard, with
// counts per verdict. Read from the store alone, so the CLI shows what the serving collector recorded.
import type { ComplianceState, Store } from '../store/index.js';
import { STANDARD_IDS } from './standards/index.js';

export interface ComplianceRow {
  host: string;
  agentId: string;
  standard: string;
  verdict: ComplianceState['verdict'];
  reason: string;
  /** Since when the verdict holds (ISO 8601). */
  since: string;
  evaluatedAt: string;
  evidence: unknown;
  /** The exception in force beside a fail or unknown verdict (expiresAt ISO 8601), null when none covers it. */
  waiver: { id: number; reason: string; by: string; expiresAt: string } | null;
}

export interface ComplianceTable {
  tenant: string;
  counts: { pass: number; fail: number; unknown: number };
  rows: ComplianceRow[];
}

const order = (standard: string) => STANDARD_IDS.indexOf(standard);

/** The tenant's verdicts (one host's, matched without regard to case), revoked agents left out. */
export function complianceTable(store: Store, tenant: string, host?: string): ComplianceTable {
  const live = new Set(
    store.agents
      .list(tenant)
      .filter((a) => a.revokedAt === null)
      .map((a) => a.id),
  );
  const wanted = host?.toLowerCase();
  const rows = store.compliance
    .states(tenant)
    .filter((s) => live.has(s.agentId) && (wanted === undefined || s.host.toLowerCase() === wanted))
    .sort((a, b) => a.host.localeCompare(b.host) || a.agentId.localeCompare(b.agentId) || order(a.standard) - order(b.standard))
    .map((s) => ({
      host: s.host,
      agentId: s.agentId,
      standard: s.standard,
      verdict: s.verdict,
      reason: s.reason,
      since: new Date(s.since).toISOString(),
      evaluatedAt: new Date(s.evaluatedAt).toISOString(),
      evidence: s.evidence,
      waiver: s.waiver && { ...s.waiver, expiresAt: new Date(s.waiver.expiresAt).toISOString() },
    }));
  const counts = { pass: 0, fail: 0, unknown: 0 };
  for (const r of rows) counts[r.verdict]++;
  return { tenant, counts, rows };
}
