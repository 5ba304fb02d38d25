// The monthly report's deliveries by email: one row per (tenant, month), so a report is mailed once however often
// the collector restarts, and `report deliveries` shows what went where.
//
// Contract: a sender claims the row before it sends (claim(): inserted or taken as pending, attempts + 1, and leased
// until `leaseUntil` so another process's scheduler or `report send` does not send it too); then it records the
// outcome: sent (with the Message-ID), retry (pending, with the next attempt's time) or failed (for good). A sender
// that dies between claim and outcome leaves a pending row whose lease runs out: it is tried again, so a mail the
// server took just before a crash can arrive twice (with the same Message-ID), never not at all. last_error is what
// the sender passes: redacted of the SMTP password by the caller (desks/connectors/email.ts classifySmtpError).
import type { Db, RowOf } from './db.js';

export type ReportDeliveryState = 'pending' | 'sent' | 'failed';
export const REPORT_DELIVERY_STATES: readonly ReportDeliveryState[] = ['pending', 'sent', 'failed'];

export interface ReportDelivery {
  tenant: string;
  /** "2026-10": the month the report covers. */
  month: string;
  state: ReportDeliveryState;
  attempts: number;
  /** The last failure, redacted; null once sent. */
  lastError: string | null;
  /** When a pending row may be tried again (the end of a lease or of a backoff). */
  nextAttemptAt: number;
  sentAt: number | null;
  messageId: string | null;
  /** Who the last attempt was addressed to (to and cc). */
  recipients: string[];
  updatedAt: number;
}

export interface ReportDeliveryStore {
  get(tenant: string, month: string): ReportDelivery | null;
  /** Newest month first; at most `limit` (default MAX_LIST). */
  list(filter?: { tenant?: string; state?: ReportDeliveryState; limit?: number }): ReportDelivery[];
  /**
   * Takes the row for one attempt: creates it, or takes a pending one whose next attempt is due at `now` (with
   * `force`, also a sent or failed one, and a leased one). Null when it is not to be sent now. The row is pending,
   * its attempts counted, leased until `leaseUntil`.
   */
  claim(tenant: string, month: string, c: { now: number; leaseUntil: number; recipients: readonly string[]; force?: boolean }): ReportDelivery | null;
  sent(tenant: string, month: string, at: number, messageId: string): void;
  retry(tenant: string, month: string, at: number, nextAttemptAt: number, error: string): void;
  failed(tenant: string, month: string, at: number, error: string): void;
}

export const MAX_LIST = 1000;
const MAX_ERROR_CHARS = 2000;

type Row = Omit<RowOf<ReportDelivery>, 'recipients'> & { recipients: string };

const fromRow = (r: Row): ReportDelivery => ({
  tenant: r.tenant,
  month: r.month,
  state: r.state,
  attempts: r.attempts,
  lastError: r.last_error,
  nextAttemptAt: r.next_attempt_at,
  sentAt: r.sent_at,
  messageId: r.message_id,
  recipients: JSON.parse(r.recipients) as string[],
  updatedAt: r.updated_at,
});

export function createReportDeliveryStore(db: Db): ReportDeliveryStore {
  const get = db.prepare('SELECT * FROM report_deliveries WHERE tenant = ? AND month = ?');
  const insert = db.prepare(`INSERT INTO report_deliveries (tenant, month, state, attempts, next_attempt_at, recipients, updated_at)
    VALUES (?, ?, 'pending', 1, ?, ?, ?)`);
  const take = db.prepare(`UPDATE report_deliveries SET state = 'pending', attempts = attempts + 1, next_attempt_at = ?, recipients = ?, updated_at = ?
    WHERE tenant = ? AND month = ? AND (? OR (state = 'pending' AND next_attempt_at <= ?))`);
  const markSent = db.prepare(`UPDATE report_deliveries SET state = 'sent', sent_at = ?, message_id = ?, last_error = NULL, updated_at = ?
    WHERE tenant = ? AND month = ?`);
  const markRetry = db.prepare(`UPDATE report_deliveries SET state = 'pending', next_attempt_at = ?, last_error = ?, updated_at = ?
    WHERE tenant = ? AND month = ?`);
  const markFailed = db.prepare(`UPDATE report_deliveries SET state = 'failed', last_error = ?, updated_at = ? WHERE tenant = ? AND month = ?`);
  const read = (tenant: string, month: string): ReportDelivery | null => {
    const row = get.get(tenant, month) as Row | undefined;
    return row ? fromRow(row) : null;
  };
  const claim = db.transaction((tenant: string, month: string, c: { now: number; leaseUntil: number; recipients: readonly string[]; force?: boolean }) => {
    const recipients = JSON.stringify(c.recipients);
    if (!read(tenant, month)) insert.run(tenant, month, c.leaseUntil, recipients, c.now);
    else if (take.run(c.leaseUntil, recipients, c.now, tenant, month, c.force ? 1 : 0, c.now).changes === 0) return null;
    return read(tenant, month);
  });
  return {
    get: read,
    list(filter = {}) {
      const where: string[] = [];
      const args: unknown[] = [];
      for (const [column, value] of [
        ['tenant', filter.tenant],
        ['state', filter.state],
      ] as const) {
        if (value === undefined) continue;
        where.push(`${column} = ?`);
        args.push(value);
      }
      const sql = `SELECT * FROM report_deliveries ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY month DESC, tenant LIMIT ?`;
      return (db.prepare(sql).all(...args, Math.min(filter.limit ?? MAX_LIST, MAX_LIST)) as Row[]).map(fromRow);
    },
    claim: (tenant, month, c) => claim.immediate(tenant, month, c),
    sent: (tenant, month, at, messageId) => void markSent.run(at, messageId, at, tenant, month),
    retry: (tenant, month, at, next, error) => void markRetry.run(next, error.slice(0, MAX_ERROR_CHARS), at, tenant, month),
    failed: (tenant, month, at, error) => void markFailed.run(error.slice(0, MAX_ERROR_CHARS), at, tenant, month),
  };
}
