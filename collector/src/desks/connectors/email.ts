// Email over SMTP: one plain-text mail per ticket event, threaded so a mail client or a PSA's email-to-ticket
// parser keeps a ticket's updates together. Three handles, because receivers use different ones:
// 1. Message-ID / In-Reply-To / References: the 'opened' mail has the ticket's stable root id
//    (<watchpost-{correlationKey}@{domain of from}>); every other event's mail has its own id (with the event id)
//    and replies to the root, whether or not the root was ever sent. Ids are stable across retries, so a receiver
//    that de-duplicates by Message-ID drops a repeat after a lost answer.
// 2. The subject token [WP-{correlationKey}], which PSA parsers match to append to the existing ticket.
// 3. A key=value footer (watchpost-ticket=..., tenant=..., status=...) for parser rules.
// Email has no ticket id to learn, so ok never carries a remoteId. SMTP replies are classified here (4xx and
// network retryable, 5xx failed with the server's text); every reason is redacted of the password.
import { readFileSync } from 'node:fs';
import { Type, type Static } from '@sinclair/typebox';
import nodemailer from 'nodemailer';
import { ConfigError } from '../../errors.js';
import { DurationError, parseDuration } from '../../config/duration.js';
import type { ConnectorType, DeskEvent, DeskEventKind, DeskTicket } from '../contract.js';
import { excerpt, type DeliveryFailure } from '../http.js';

export const DEFAULT_PORT = 587;
export const DEFAULT_SUBJECT_PREFIX = '[Watchpost]';
export const DEFAULT_CONNECTION_TIMEOUT = '30s';
/** Pooled connections per desk: enough for a backlog to drain, few enough for a relay's per-client limit. */
export const MAX_CONNECTIONS = 2;
/** Silence allowed in the middle of a session (after the greeting) before the connection is dropped. */
export const SOCKET_TIMEOUT_MS = 60_000;

const Addresses = (description: string, examples?: string[]) =>
  Type.Union([Type.String({ minLength: 3 }), Type.Array(Type.String({ minLength: 3 }), { minItems: 1 })], { description, ...(examples ? { examples } : {}) });

const Settings = Type.Object(
  {
    host: Type.String({ minLength: 1, description: 'SMTP server (relay or submission host)', examples: ['smtp.msp.example.net'] }),
    port: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 65535, default: DEFAULT_PORT, description: '587 submission (STARTTLS), 465 implicit TLS, 25 relay' }),
    ),
    secure: Type.Optional(Type.Boolean({ default: false, description: 'implicit TLS from the first byte (port 465)' })),
    require_tls: Type.Optional(Type.Boolean({ default: true, description: 'refuse to send unless STARTTLS succeeds (ignored when secure)' })),
    username: Type.Optional(Type.String({ minLength: 1, description: 'SMTP AUTH user' })),
    password: Type.Optional(Type.String({ minLength: 1, description: 'SMTP AUTH password (write it as ${ENV_VAR})', examples: ['${SMTP_PASSWORD}'] })),
    from: Type.String({
      minLength: 3,
      description: 'sender, "Name <addr@domain>" or addr@domain; its domain ends every Message-ID',
      examples: ['Watchpost <watchpost@msp.example.net>'],
    }),
    to: Addresses('one recipient or a list (e.g. the PSA mailbox that turns email into tickets)', ['tickets@msp.example.net']),
    cc: Type.Optional(Addresses('copies, one or a list')),
    subject_prefix: Type.Optional(Type.String({ default: DEFAULT_SUBJECT_PREFIX, description: 'first word of every subject ("" for none)' })),
    tls_ca_file: Type.Optional(Type.String({ minLength: 1, description: 'PEM file of CAs to trust for the server certificate (a private CA)' })),
    connection_timeout: Type.Optional(
      Type.String({
        pattern: '^[0-9]+(ms|s|m|h|d)$',
        default: DEFAULT_CONNECTION_TIMEOUT,
        description: 'longest wait for the TCP connection and again for the greeting',
      }),
    ),
  },
  { additionalProperties: true },
);
export type EmailSettings = Static<typeof Settings>;

const ADDRESS_RE = /^[^\s@<>]+@[^\s@<>]+$/;
const list = (value: string | string[] | undefined): string[] => (value === undefined ? [] : typeof value === 'string' ? [value] : value);
/** The bare address of "Name <addr>" or "addr"; null when there is none. */
export function addressOf(text: string): string | null {
  const bare = (/<([^<>]*)>\s*$/.exec(text)?.[1] ?? text).trim();
  return ADDRESS_RE.test(bare) ? bare : null;
}
/** Message-ID left parts allow atext and dots only (RFC 5322 3.6.4). */
const idPart = (key: string): string => key.replace(/[^A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]/g, '-');
const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim();
const time = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The root Message-ID of a ticket's thread (the 'opened' mail) and the id of one event's mail. */
export function threadIds(event: DeskEvent, domain: string): { root: string; own: string } {
  const root = `watchpost-${idPart(event.ticket.correlationKey)}`;
  const own = event.kind === 'opened' ? root : `${root}-event-${event.id}`;
  return { root: `<${root}@${domain}>`, own: `<${own}@${domain}>` };
}

const MARKS: Partial<Record<DeskEventKind, (t: DeskTicket) => string>> = {
  resolved: (t) => `RESOLVED: ${t.priority}`,
  reopened: (t) => `REOPENED: ${t.priority}`,
  escalated: (t) => `ESCALATED to ${t.priority}:`,
  deescalated: (t) => `DE-ESCALATED to ${t.priority}:`,
  sla_approaching: (t) => `SLA WARNING: ${t.priority}`,
  sla_breached: (t) => `SLA BREACHED: ${t.priority}`,
};

/** "[Watchpost] [WP-<key>] P2 <title>", with the event's mark in place of the priority where it has one. */
export function emailSubject(event: DeskEvent, prefix: string): string {
  const t = event.ticket;
  const mark = MARKS[event.kind]?.(t) ?? t.priority;
  return [prefix, `[WP-${t.correlationKey}]`, mark, oneLine(t.title)].filter((part) => part !== '').join(' ');
}

/** The machine-readable footer, one key=value a line, for PSA parser rules. */
export function emailFooter(event: DeskEvent): string {
  const t = event.ticket;
  const pairs: Array<[string, string | number]> = [
    ['watchpost-ticket', t.correlationKey],
    ['tenant', t.tenant],
    ['host', t.host],
    ['rule', t.ruleId],
    ['priority', t.priority],
    ['status', t.status],
    ['event', event.kind],
    ['event-id', event.id],
  ];
  return pairs.map(([key, value]) => `${key}=${oneLine(String(value))}`).join('\n');
}

function slaLine(c: DeskTicket['sla'][number], at: number): string {
  const state = c.metAt !== null ? `met ${time(c.metAt)}` : at > c.dueAt ? 'overdue' : 'open';
  return `  ${c.target.padEnd(8)} due ${time(c.dueAt)}  (${state})`;
}

/** The plain-text body: what happened, the ticket's fields, its SLA clocks, then the footer. */
export function emailBody(event: DeskEvent): string {
  const t = event.ticket;
  const field = (name: string, value: string) => `${`${name}:`.padEnd(11)} ${value}`;
  return [
    oneLine(t.title),
    '',
    field('Event', `${event.kind} at ${time(event.at)}`),
    field('Detail', oneLine(event.detail)),
    '',
    field('Ticket', `${t.correlationKey} (#${t.id})`),
    field('Tenant', t.tenant),
    field('Host', t.host),
    field('Rule', t.ruleId),
    field('Status', t.status),
    field('Priority', `${t.priority} (urgency ${t.urgency}, impact ${t.impact})`),
    field('Summary', oneLine(t.summary)),
    field('Opened', time(t.openedAt)),
    ...(t.resolvedAt !== null ? [field('Resolved', time(t.resolvedAt))] : []),
    ...(t.reopenCount > 0 ? [field('Reopened', `${t.reopenCount} time(s)`)] : []),
    ...(t.sla.length > 0 ? ['', 'SLA:', ...t.sla.map((c) => slaLine(c, event.at))] : []),
    '',
    emailFooter(event),
    '',
  ].join('\n');
}

/** What nodemailer attaches to its errors (the fields read here). */
export interface SmtpError {
  message: string;
  code?: string | undefined;
  responseCode?: number | undefined;
  response?: string | undefined;
  command?: string | undefined;
  rejectedErrors?: SmtpError[] | undefined;
}

/** Errors without an SMTP reply that no retry fixes: a refused login setup, a bad envelope, garbage replies. */
const FAILED_CODES: ReadonlySet<string> = new Set(['EAUTH', 'ENOAUTH', 'EENVELOPE', 'EMESSAGE', 'EPROTOCOL', 'ECONFIG', 'EMAXRECIPIENTS']);

/**
 * One SMTP failure as a result. A reply code decides first: 4xx (421 closing, 450/451/452 greylisting, busy,
 * out of storage) and 503 (wrong session state) may pass later; any other 5xx (550 no mailbox, 553, 554, 535
 * bad login) never will. Without a reply: the network, timeouts, TLS and an abort are retryable. When several
 * recipients were refused, one refusal that may pass later makes the whole retryable.
 */
export function classifySmtpError(error: SmtpError, secrets: readonly string[]): DeliveryFailure {
  const code = error.responseCode;
  const what = excerpt(error.response ?? error.message, secrets);
  if (code !== undefined) {
    const command = error.command ? ` (${error.command.split(' ')[0]})` : '';
    const reason = `SMTP ${code}${command}: ${what}`;
    const transient = (c: number) => c < 500 || c === 503;
    const later = transient(code) || (error.rejectedErrors ?? []).some((e) => e.responseCode !== undefined && transient(e.responseCode));
    return later ? { kind: 'retryable', reason } : { kind: 'failed', reason };
  }
  const reason = `SMTP ${error.code ?? 'error'}: ${what}`;
  return error.code !== undefined && FAILED_CODES.has(error.code) ? { kind: 'failed', reason } : { kind: 'retryable', reason };
}

/** Settings the schema cannot check: addresses, credentials in pairs, the CA file, the timeout. */
function check(settings: EmailSettings, path: string): void {
  const bad = (key: string, why: string) => new ConfigError(`${path}.${key}: ${why}`);
  if (!addressOf(settings.from)) throw bad('from', `expected an address like alerts@msp.example, got "${settings.from}"`);
  for (const key of ['to', 'cc'] as const) {
    const values = list(settings[key]);
    values.forEach((value, i) => {
      if (!addressOf(value)) throw bad(typeof settings[key] === 'string' ? key : `${key}[${i}]`, `expected an address, got "${value}"`);
    });
  }
  if ((settings.username === undefined) !== (settings.password === undefined))
    throw bad(settings.username === undefined ? 'username' : 'password', 'username and password go together');
  if (settings.tls_ca_file !== undefined) readCa(settings.tls_ca_file, `${path}.tls_ca_file`);
  let timeout: number;
  try {
    timeout = parseDuration(settings.connection_timeout ?? DEFAULT_CONNECTION_TIMEOUT);
  } catch (error) {
    if (error instanceof DurationError) throw bad('connection_timeout', error.message);
    throw error;
  }
  if (timeout <= 0) throw bad('connection_timeout', 'must be longer than 0');
}

function readCa(file: string, key: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`${key}: cannot read ${file}: ${(error as Error).message}`);
  }
}

/** Everything a reason must never show: the password and the base64 forms AUTH PLAIN and LOGIN send. */
export function secretsOf(settings: EmailSettings): string[] {
  if (settings.password === undefined) return [];
  const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
  return [settings.password, b64(settings.password), b64(`\u0000${settings.username ?? ''}\u0000${settings.password}`)];
}

/**
 * A nodemailer transport for a desk's SMTP settings (server, TLS, login, timeouts): pooled for the ticket
 * connector, a session per mail for an occasional sender such as the monthly report.
 */
export function smtpTransport(settings: EmailSettings, options: { pool: boolean }) {
  const timeout = parseDuration(settings.connection_timeout ?? DEFAULT_CONNECTION_TIMEOUT);
  const secure = settings.secure ?? false;
  const ca = settings.tls_ca_file !== undefined ? readCa(settings.tls_ca_file, 'tls_ca_file') : undefined;
  return nodemailer.createTransport({
    ...(options.pool ? { pool: true, maxConnections: MAX_CONNECTIONS } : {}),
    host: settings.host,
    port: settings.port ?? DEFAULT_PORT,
    secure,
    requireTLS: !secure && (settings.require_tls ?? true),
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: SOCKET_TIMEOUT_MS,
    ...(settings.username !== undefined && settings.password !== undefined ? { auth: { user: settings.username, pass: settings.password } } : {}),
    tls: { minVersion: 'TLSv1.2', ...(ca !== undefined ? { ca } : {}) },
    logger: false,
  });
}

export const email: ConnectorType<EmailSettings> = {
  schema: Settings,
  check,
  create(settings, deps) {
    const secure = settings.secure ?? false;
    const domain = (addressOf(settings.from) ?? settings.from).split('@').pop()!.toLowerCase();
    const prefix = settings.subject_prefix ?? DEFAULT_SUBJECT_PREFIX;
    const secrets = secretsOf(settings);
    // One pooled transport per desk rather than a connection per mail: (1) the dispatcher delivers several
    // tickets at once, and the pool caps this desk at MAX_CONNECTIONS sessions, where plain SMTP would open one
    // per concurrent mail and meet a relay's per-client connection limit (421) exactly when a backlog drains
    // after an outage; (2) a session is reused, so a backlog costs a few TCP+TLS+AUTH handshakes, not one per
    // mail; (3) nodemailer closes a pooled session after 4 idle minutes, before a server's 5-minute timeout,
    // so a quiet desk holds no connection. close() ends the idle sessions and lets a busy one finish.
    const transport = smtpTransport(settings, { pool: true });
    return {
      async deliver(event, ctx) {
        const ids = threadIds(event, domain);
        try {
          const info = await transport.sendMail({
            from: settings.from,
            to: list(settings.to),
            cc: list(settings.cc),
            subject: emailSubject(event, prefix),
            text: emailBody(event),
            messageId: ids.own,
            ...(ids.own !== ids.root ? { inReplyTo: ids.root, references: [ids.root] } : {}),
            date: new Date(deps.now()),
            priority: event.ticket.priority === 'P1' ? 'high' : 'normal',
            headers: { 'X-Watchpost-Ticket': event.ticket.correlationKey, 'X-Watchpost-Event': event.kind, 'X-Watchpost-Event-Id': String(event.id) },
            signal: ctx.signal,
          });
          // Some recipients took it: a retry would mail them again, so the refusals are only logged.
          if (info.rejected.length > 0) ctx.log.warn({ rejected: info.rejected, event: event.id }, 'email: some recipients were refused');
          return { kind: 'ok' };
        } catch (error) {
          return classifySmtpError(error instanceof Error ? (error as SmtpError) : { message: String(error) }, secrets);
        }
      },
      // verify() opens a session of its own beside the pool (connect, EHLO, STARTTLS and AUTH as configured),
      // then QUITs: the setup is proved without a mail. It takes no signal, so an abort answers at once and the
      // session ends on its own timeouts.
      async test(signal) {
        const check = 'SMTP session (connect, TLS, login)';
        const tls = secure ? 'implicit TLS' : (settings.require_tls ?? true) ? 'STARTTLS required' : 'STARTTLS when offered';
        const login = settings.username !== undefined ? `login as ${settings.username} accepted` : 'no login configured';
        const where = `${settings.host}:${settings.port ?? DEFAULT_PORT}`;
        let stop = () => {};
        const aborted = new Promise<never>((_, reject) => {
          stop = () => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
          if (signal.aborted) stop();
          else signal.addEventListener('abort', stop, { once: true });
        });
        try {
          await Promise.race([transport.verify(), aborted]);
          return [{ check, ok: true, detail: `${where}: connected (${tls}), ${login}; nothing sent` }];
        } catch (error) {
          const failure = classifySmtpError(error instanceof Error ? (error as SmtpError) : { message: String(error) }, secrets);
          return [{ check, ok: false, detail: `${where} (${tls}): ${failure.reason}` }];
        } finally {
          signal.removeEventListener('abort', stop);
        }
      },
      close() {
        transport.close();
        return Promise.resolve();
      },
    };
  },
};
