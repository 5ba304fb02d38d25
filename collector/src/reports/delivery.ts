// Mailing one tenant's monthly report: when it is due (pure), what the mail says, and one attempt to send it through
// the SMTP settings of the email desk `terms.report.desk` names, recorded in store.reportDeliveries.
//
// Decision: the report for a month is due from `day` at `at` (local, in the zone of the tenant's SLA calendar) of the
// following month until that month ends. Reasons:
// 1. A collector that was down at the moment sends as soon as it is back, and a refusal that may pass (4xx, network)
//    is retried with a backoff, for up to four weeks (day is at most 28).
// 2. Never months late: on the first of the next month the window has moved on; a report still pending then is
//    marked failed ("not sent by the end of ..."), and `report send` sends any month by hand.
// 3. One row per (tenant, month) in the store, so a restart, a second collector on the same store or a repeated
//    tick never mails a report twice; only `report send --force` does.
import { DateTime } from 'luxon';
import type { RuleSet } from '../alerting/rules/rules-file.js';
import { backoffMs, type BackoffShape } from '../backoff.js';
import {
  classifySmtpError,
  DEFAULT_SUBJECT_PREFIX,
  addressOf,
  secretsOf,
  smtpTransport,
  type EmailSettings,
  type SmtpError,
} from '../desks/connectors/email.js';
import type { DeskSet } from '../desks/desks-file.js';
import type { ReportDelivery, Store } from '../store/index.js';
import { SLA_TARGETS } from '../tickets/model.js';
import { deskProblem, type ReportTerms } from './delivery-terms.js';
import { localTime, monthTitle, percentText } from './format.js';
import { ChromiumMissingError, type PdfPrinter } from './print.js';
import { renderReportHtml, reportInput, type ReportDeps, type ReportFormat } from './report.js';
import type { ReportInput } from './section.js';

/** Retries of a refusal that may pass: 1 minute doubling to 1 hour, never sooner than half the step. */
export const RETRY_BACKOFF: BackoffShape = { baseMs: 60_000, maxMs: 3_600_000, jitter: 'equal' };
/** How long a claimed row is left to its sender before another may try it (a send that crashed). */
export const LEASE_MS = 15 * 60_000;

export interface DeliveryLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface DeliveryDeps {
  store: Store;
  rules: RuleSet;
  desks: DeskSet;
  /** The desks file's path (config desks.file), for error messages; '' when none is configured. */
  desksFile: string;
  /** Opens the PDF printer; needed only for pdf. */
  printer?: () => PdfPrinter;
  log: DeliveryLog;
  /** The collector's public URL (config server.publicUrl), named in the mail as where the report can be fetched again. */
  publicUrl?: string;
  /** Counts each attempt's result. */
  counted?: (result: 'sent' | 'retryable' | 'failed') => void;
  random?: () => number;
  /** The report's other sources, as the report routes get them (store and rules are the ones above). */
  report?: Partial<ReportDeps>;
}

export type DeliveryOutcome =
  | { kind: 'sent'; delivery: ReportDelivery }
  | { kind: 'retryable' | 'failed'; reason: string; delivery: ReportDelivery }
  /** Not attempted: already sent or failed (without force), or another sender holds it, or waiting for its retry. */
  | { kind: 'skipped'; delivery: ReportDelivery | null };

/** The month whose report is due at `now` (the previous month, from its day and time in `zone`), or null before then. */
export function dueMonth(terms: Pick<ReportTerms, 'day' | 'at'>, zone: string, now: number): string | null {
  const local = DateTime.fromMillis(now, { zone });
  const [hour, minute] = terms.at.split(':').map(Number) as [number, number];
  const due = local.set({ day: terms.day, hour, minute, second: 0, millisecond: 0 });
  return now >= due.toMillis() ? previousMonth(now, zone) : null;
}

/** The month before the one `now` falls in, in `zone` ("2026-10" during November). */
export const previousMonth = (now: number, zone: string): string =>
  DateTime.fromMillis(now, { zone }).startOf('month').minus({ months: 1 }).toFormat('yyyy-MM');

export const attachmentName = (tenant: string, month: string, format: ReportFormat): string => `watchpost-report-${tenant}-${month}.${format}`;

const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim();

export function reportSubject(prefix: string, input: ReportInput): string {
  return [prefix, 'Monthly report', oneLine(input.tenant.name), monthTitle(input.month.from, input.month.zone)].filter((p) => p !== '').join(' ');
}

const counted = (met: number, breached: number, running: number): string =>
  `${met} of ${met + breached} targets met (${percentText(met + breached === 0 ? null : (met / (met + breached)) * 100)}), ${breached} breached, ${running} still running`;

/** The plain-text body: the month, the SLA headline (overall and per target), and where the report is. */
export function reportBody(input: ReportInput, file: string, publicUrl?: string): string {
  const { tenant, month, clocks } = input;
  const count = (c: typeof clocks) =>
    [c.filter((x) => x.outcome === 'met').length, c.filter((x) => x.outcome === 'breached').length, c.filter((x) => x.outcome === 'running').length] as const;
  const sla =
    clocks.length === 0
      ? [`No ticket had an SLA clock start in ${month.id}: there is nothing to measure.`]
      : [
          `SLA attainment (profile ${input.terms.slaProfileName}): ${counted(...count(clocks))}.`,
          ...SLA_TARGETS.flatMap((target) => {
            const mine = clocks.filter((c) => c.clock.target === target);
            return mine.length === 0 ? [] : [`  ${`${target}:`.padEnd(9)} ${counted(...count(mine))}`];
          }),
        ];
  const format = file.endsWith('.pdf') ? 'pdf' : 'html';
  return [
    `Monthly report for ${oneLine(tenant.name)}, ${monthTitle(month.from, month.zone)}`,
    `(${localTime(month.from, month.zone)} to ${localTime(month.to, month.zone)} ${month.zone}).`,
    '',
    ...sla,
    '',
    `The full report is attached: ${file}.`,
    publicUrl
      ? `It can be fetched again from ${publicUrl.replace(/\/+$/, '')}/api/v1/reports/${encodeURIComponent(tenant.id)}/${month.id}.${format} (with an API key).`
      : `It can be made again with: watchpost-collector report --tenant ${tenant.id} --month ${month.id} --format ${format}`,
    '',
  ].join('\n');
}

/** The email desk's settings and the secrets its reasons are redacted of; throws ConfigError when it cannot send. */
function emailDesk(terms: ReportTerms, deps: DeliveryDeps): { settings: EmailSettings; secrets: string[] } {
  const problem = deskProblem(terms.desk!, deps.desks, deps.desksFile);
  if (problem) throw new ReportDeliveryError(problem);
  const route = deps.desks.desk!(terms.desk!.name)!;
  const settings = route.settings as EmailSettings;
  return { settings, secrets: [...route.secrets, ...secretsOf(settings)] };
}

export class ReportDeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReportDeliveryError';
  }
}

/** The report as the attachment's content. */
async function attachment(input: ReportInput, format: ReportFormat, printer?: () => PdfPrinter): Promise<Buffer> {
  const html = renderReportHtml(input);
  if (format === 'html') return Buffer.from(html, 'utf8');
  if (!printer) throw new Error('a PDF report needs a printer');
  return printer().print(html);
}

/**
 * One attempt to mail the tenant's report for `month`, recorded: claims the row (skipped when it is not to be sent
 * now), makes the report, sends it, and records sent, retry (4xx, network: after a backoff) or failed (5xx, no
 * Chromium). Throws ReportDeliveryError when the tenant has no recipients or no working email desk, ReportError for an
 * unknown tenant or a bad month; nothing is recorded then.
 */
export async function deliverReport(deps: DeliveryDeps, request: { tenant: string; month: string; now: number; force?: boolean }): Promise<DeliveryOutcome> {
  const { store } = deps;
  const { tenant, month, now } = request;
  const terms = deps.rules.terms(tenant).report;
  if (!terms || terms.recipients.length === 0)
    throw new ReportDeliveryError(`tenant ${tenant} has no report recipients (terms.report.recipients in the rules file)`);
  const desk = emailDesk(terms, deps);
  const input = await reportInput({ ...deps.report, store, rules: deps.rules }, tenant, month, now);
  const recipients = [...terms.recipients, ...terms.cc];
  const claimed = store.reportDeliveries.claim(tenant, month, { now, leaseUntil: now + LEASE_MS, recipients, force: request.force === true });
  if (!claimed) return { kind: 'skipped', delivery: store.reportDeliveries.get(tenant, month) };
  const where = { tenant, month, desk: terms.desk!.name, attempt: claimed.attempts };
  const fail = (reason: string): DeliveryOutcome => {
    store.reportDeliveries.failed(tenant, month, now, reason);
    deps.counted?.('failed');
    deps.log.error({ ...where, reason }, 'monthly report not delivered: refused for good (report send --force sends it again)');
    return { kind: 'failed', reason, delivery: store.reportDeliveries.get(tenant, month)! };
  };
  const retry = (reason: string): DeliveryOutcome => {
    const next = now + backoffMs(claimed.attempts - 1, RETRY_BACKOFF, deps.random);
    store.reportDeliveries.retry(tenant, month, now, next, reason);
    deps.counted?.('retryable');
    deps.log.warn({ ...where, reason, retryAt: new Date(next).toISOString() }, 'monthly report not delivered; will retry');
    return { kind: 'retryable', reason, delivery: store.reportDeliveries.get(tenant, month)! };
  };
  const file = attachmentName(tenant, month, terms.format);
  let content: Buffer;
  try {
    content = await attachment(input, terms.format, deps.printer);
  } catch (error) {
    // Without Chromium no retry helps until someone installs it; a print that failed or timed out may pass later.
    return error instanceof ChromiumMissingError ? fail(error.message) : retry(`printing the PDF failed: ${(error as Error).message}`);
  }
  return sendMail(deps, desk, { terms, input, file, content, claimed, now, where, fail, retry, force: request.force === true });
}

interface Mail {
  terms: ReportTerms;
  input: ReportInput;
  file: string;
  content: Buffer;
  claimed: ReportDelivery;
  now: number;
  where: object;
  force: boolean;
  fail(reason: string): DeliveryOutcome;
  retry(reason: string): DeliveryOutcome;
}

async function sendMail(deps: DeliveryDeps, desk: { settings: EmailSettings; secrets: string[] }, mail: Mail): Promise<DeliveryOutcome> {
  const { settings } = desk;
  const { input, terms, claimed } = mail;
  const domain = (addressOf(settings.from) ?? settings.from).split('@').pop()!.toLowerCase();
  // The same id on every retry of one delivery (a receiver that de-duplicates drops a repeat after a lost answer); a
  // forced resend is a new message.
  const idPart = `watchpost-report-${input.tenant.id}-${input.month.id}`.replace(/[^A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]/g, '-');
  const messageId = `<${idPart}${mail.force ? `-${mail.now}` : ''}@${domain}>`;
  // A session per report: one mail a month per tenant needs no pool, and nothing stays connected afterwards.
  const transport = smtpTransport(settings, { pool: false });
  try {
    await transport.sendMail({
      from: settings.from,
      to: [...terms.recipients],
      cc: [...terms.cc],
      subject: reportSubject(settings.subject_prefix ?? DEFAULT_SUBJECT_PREFIX, input),
      text: reportBody(input, mail.file, deps.publicUrl),
      messageId,
      date: new Date(mail.now),
      headers: { 'X-Watchpost-Report': `${input.tenant.id} ${input.month.id}` },
      attachments: [{ filename: mail.file, content: mail.content, contentType: terms.format === 'pdf' ? 'application/pdf' : 'text/html; charset=utf-8' }],
    });
  } catch (error) {
    const failure = classifySmtpError(error instanceof Error ? (error as SmtpError) : { message: String(error) }, desk.secrets);
    return failure.kind === 'retryable' ? mail.retry(failure.reason) : mail.fail(failure.reason);
  } finally {
    transport.close();
  }
  deps.log.info({ ...mail.where, messageId, recipients: claimed.recipients, file: mail.file }, 'monthly report delivered');
  deps.store.reportDeliveries.sent(input.tenant.id, input.month.id, mail.now, messageId);
  deps.counted?.('sent');
  return { kind: 'sent', delivery: deps.store.reportDeliveries.get(input.tenant.id, input.month.id)! };
}

/** Marks the tenant's pending deliveries of months before `current` failed: their window has passed (decision 2). */
export function expireOld(store: Store, tenant: string, current: string, now: number, zone: string): void {
  for (const d of store.reportDeliveries.list({ tenant, state: 'pending' })) {
    if (d.month >= current) continue;
    const end = DateTime.fromFormat(d.month, 'yyyy-MM', { zone }).plus({ months: 1 }).setLocale('en').toFormat('LLLL yyyy');
    store.reportDeliveries.failed(tenant, d.month, now, `not sent by the end of ${end}${d.lastError ? ` (last error: ${d.lastError})` : ''}`);
  }
}
