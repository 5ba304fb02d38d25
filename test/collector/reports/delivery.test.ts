// The monthly report by email, over the real parts: the rules and desks files parsed by their loaders, a real SQLite
// store with tickets opened and handled through the ticket lifecycle, the real SMTP server of the email connector's
// tests (smtp-server on loopback, login required), the real Chromium for the one PDF case, and a clock the test moves.
// mailparser is not a dependency: the MIME parts are split here by their boundary and decoded (base64,
// quoted-printable) by hand, enough to read the body and the attachment back.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadRules, parseRules, type RuleSet } from '../../../collector/src/alerting/rules/rules-file.js';
import { parseDesks, type DeskSet } from '../../../collector/src/desks/desks-file.js';
import { ConfigError } from '../../../collector/src/errors.js';
import { createMetrics } from '../../../collector/src/metrics.js';
import { deskProblems } from '../../../collector/src/reports/delivery-terms.js';
import { dueMonth, type DeliveryLog } from '../../../collector/src/reports/delivery.js';
import {
  createReportScheduler,
  registerReportDelivery,
  registerReportDeliveryMetrics,
  type ReportScheduler,
} from '../../../collector/src/reports/delivery-scheduler.js';
import { createPdfPrinter, type PdfPrinter } from '../../../collector/src/reports/print.js';
import { openStore, type Store } from '../../../collector/src/store/index.js';
import { acknowledgeTicket, planTicket, resolveTicket, syncTicket } from '../../../collector/src/tickets/lifecycle.js';
import { collectorCli } from '../../helpers/collector-cli.js';
import { parseMail, smtpReply, startSmtp, type ReceivedMail, type TestSmtp, type TestSmtpOptions } from '../desks/smtp.js';

const PASSWORD = 'hunter2-correct-horse';
const LOGIN = { username: 'reports@msp.example', password: PASSWORD };
const ENV = { SMTP_PASSWORD: PASSWORD };
/** The password as AUTH PLAIN sends it: a reason must not show this either. */
const PLAIN = Buffer.from(`\u0000${LOGIN.username}\u0000${PASSWORD}`).toString('base64');

/** UTC instants; Berlin is UTC+1 in November and December 2026. */
const utc = (text: string): number => Date.parse(`${text}Z`);

const rulesText = (format: 'html' | 'pdf' = 'html') => `
calendars:
  berlin-office: { timezone: Europe/Berlin, days: [mon, tue, wed, thu, fri], hours: [{ start: "08:00", end: "17:00" }] }
terms:
  report: { desk: mail, day: 3, at: "08:00", format: ${format} }
tenants:
  acme:
    terms:
      calendar: berlin-office
      report: { recipients: [it@acme.example, "Jane Roe <ceo@acme.example>"], cc: [am@msp.example] }
  globex:
    terms: { sla_profile: co-managed-24x7 }
`;

const desksText = (port: number) => `
desks:
  mail:
    type: email
    host: 127.0.0.1
    port: ${port}
    require_tls: false
    username: ${LOGIN.username}
    password: \${SMTP_PASSWORD}
    from: Watchpost Reports <reports@msp.example>
    to: tickets@msp.example
    subject_prefix: "[MSP]"
  hook:
    type: webhook
    url: https://automation.example.net/hook
`;

let dir: string;
let printer: PdfPrinter;
const open: Array<{ close(): Promise<void> | void }> = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wp-report-mail-'));
  printer = createPdfPrinter();
});
afterAll(async () => {
  await printer?.close();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => {
  for (const thing of open.splice(0).reverse()) await thing.close();
});

interface World {
  smtp: TestSmtp;
  store: Store;
  rules: RuleSet;
  desks: DeskSet;
  clock: { now: number };
  logs: Array<{ level: string; obj: object; msg: string }>;
  log: DeliveryLog;
  metrics: ReturnType<typeof createMetrics>;
  scheduler: (store?: Store) => ReportScheduler;
  dbFile: string;
}

let worlds = 0;
async function world(options: { smtp?: TestSmtpOptions; format?: 'html' | 'pdf'; now?: number } = {}): Promise<World> {
  const smtp = await startSmtp({ login: LOGIN, ...options.smtp });
  open.push(smtp);
  const dbFile = join(dir, `store-${++worlds}.db`);
  const store = openStore(dbFile, { now: () => utc('2026-09-01T00:00:00') });
  open.push({ close: () => store.close() });
  store.tenants.add({ id: 'acme', name: 'Acme GmbH' });
  store.tenants.add({ id: 'globex', name: 'Globex' });
  const rules = parseRules(rulesText(options.format), 'rules.yaml', loadRules());
  const desks = parseDesks(desksText(smtp.port), 'desks.yaml', ENV);
  seed(store, rules);
  const clock = { now: options.now ?? utc('2026-11-03T07:00:00') };
  const logs: World['logs'] = [];
  const log = Object.fromEntries(
    ['info', 'warn', 'error'].map((level) => [level, (obj: object, msg: string) => void logs.push({ level, obj, msg })]),
  ) as unknown as DeliveryLog;
  const metrics = createMetrics({ defaultMetrics: false });
  const counted = registerReportDeliveryMetrics(metrics);
  const scheduler = (on = store) =>
    createReportScheduler({
      store: on,
      rules: () => rules,
      desks: () => desks,
      desksFile: 'desks.yaml',
      log,
      now: () => clock.now,
      printer,
      counted,
      random: () => 0,
    });
  return { smtp, store, rules, desks, clock, logs, log, metrics, scheduler, dbFile };
}

/**
 * Two October tickets of acme on a server, low impact: both acknowledged, planned and resolved in time except the
 * second's acknowledgement (30 minutes against the 12 of standard-8x5): 5 of 6 targets met, respond 1 of 2.
 */
function seed(store: Store, rules: RuleSet): void {
  const terms = rules.terms('acme');
  const times = [
    { opened: utc('2026-10-14T08:00:00'), ack: utc('2026-10-14T08:04:00'), plan: utc('2026-10-14T08:10:00'), resolved: utc('2026-10-14T09:00:00') },
    { opened: utc('2026-10-15T08:00:00'), ack: utc('2026-10-15T08:30:00'), plan: utc('2026-10-15T08:40:00'), resolved: utc('2026-10-15T10:00:00') },
  ];
  times.forEach((t, i) => {
    const facts = { tenant: 'acme', host: `srv${i}`, agentId: `ag_${i}`, role: 'server' as const, critical: false, tags: [] };
    const firing = [{ instance: '/', impact: 'low' as const, summary: 'disk 95 %' }];
    let ticket = syncTicket(store.tickets, {
      facts,
      ruleId: 'disk_space',
      title: `disk_space on srv${i}`,
      onClear: 'resolve',
      terms,
      firing,
      cause: { kind: 'fired', instance: '/', summary: 'disk 95 %', at: t.opened },
    })!.ticket;
    ticket = acknowledgeTicket(store.tickets, ticket, 'tech', t.ack);
    ticket = planTicket(store.tickets, ticket, 'tech', t.plan, 'clean up');
    resolveTicket(store.tickets, ticket, 'tech', t.resolved, 'fixed');
  });
}

/** The parts of a multipart mail, each with its headers and its body decoded (base64 to bytes, quoted-printable to text). */
function mimeParts(mail: ReceivedMail): Array<{ headers: Map<string, string>; body: Buffer; text: string }> {
  const boundary = /boundary="?([^";]+)"?/.exec(mail.headers.get('content-type') ?? '')?.[1];
  if (!boundary) throw new Error(`not multipart: ${mail.headers.get('content-type')}`);
  const chunks = mail.raw.split(`--${boundary}`).slice(1, -1);
  return chunks.map((chunk) => {
    const { headers, text } = parseMail(chunk.replace(/^\r\n/, ''));
    const base64 = /base64/i.test(headers.get('content-transfer-encoding') ?? '');
    const body = base64 ? Buffer.from(text.replace(/\s+/g, ''), 'base64') : Buffer.from(text, 'utf8');
    return { headers, body, text: base64 ? body.toString('utf8') : text };
  });
}

const accepted = (w: World) => w.smtp.received.length;
const counter = async (w: World) =>
  (await w.metrics.registry.getSingleMetric('watchpost_report_deliveries_total')!.get()).values.map((v) => [v.labels.result, v.value]);

describe('report delivery: when', () => {
  it('is due from day 3, 08:00 in the zone of the tenant calendar, until the month ends', () => {
    const terms = { day: 3, at: '08:00' };
    expect(dueMonth(terms, 'Europe/Berlin', utc('2026-11-03T06:59:59'))).toBeNull();
    expect(dueMonth(terms, 'Europe/Berlin', utc('2026-11-03T07:00:00'))).toBe('2026-10');
    expect(dueMonth(terms, 'Europe/Berlin', utc('2026-11-30T22:59:00'))).toBe('2026-10');
    // 1 December 00:00 Berlin: the window moved on; November's report is due on the 3rd.
    expect(dueMonth(terms, 'Europe/Berlin', utc('2026-11-30T23:00:00'))).toBeNull();
    expect(dueMonth(terms, 'UTC', utc('2026-11-03T07:59:00'))).toBeNull();
    expect(dueMonth(terms, 'UTC', utc('2026-11-03T08:00:00'))).toBe('2026-10');
    // January: December of the year before; summer time in Berlin is UTC+2.
    expect(dueMonth(terms, 'Europe/Berlin', utc('2027-01-03T07:00:00'))).toBe('2026-12');
    expect(dueMonth({ day: 1, at: '00:00' }, 'Europe/Berlin', utc('2026-06-30T22:00:00'))).toBe('2026-06');
  });
});

describe('report delivery: sending', () => {
  it('due: exactly one mail with the PDF attached, the SLA headline in the body, recorded and counted', async () => {
    const w = await world({ format: 'pdf', now: utc('2026-11-03T06:59:00') });
    const s = w.scheduler();
    await s.tick();
    expect(accepted(w)).toBe(0); // 07:59 Berlin
    expect(w.store.reportDeliveries.list()).toEqual([]);

    w.clock.now = utc('2026-11-03T07:00:00');
    await s.tick();
    w.clock.now += 60_000;
    await s.tick();
    expect(accepted(w)).toBe(1);
    const mail = w.smtp.received[0]!;
    expect(mail.from).toBe('reports@msp.example');
    expect(mail.to).toEqual(['it@acme.example', 'ceo@acme.example', 'am@msp.example']);
    expect(mail.headers.get('to')).toBe('it@acme.example, Jane Roe <ceo@acme.example>');
    expect(mail.headers.get('cc')).toBe('am@msp.example');
    expect(mail.headers.get('subject')).toBe('[MSP] Monthly report Acme GmbH October 2026');
    expect(w.smtp.logins).toEqual([{ method: 'PLAIN', ...LOGIN }]);
    const [body, file] = mimeParts(mail);
    expect(body!.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(body!.text).toContain('Monthly report for Acme GmbH, October 2026');
    expect(body!.text).toContain('(2026-10-01 00:00 to 2026-11-01 00:00 Europe/Berlin)');
    expect(body!.text).toContain('SLA attainment (profile standard-8x5): 5 of 6 targets met (83.3 %), 1 breached, 0 still running.');
    expect(body!.text).toContain('respond:  1 of 2 targets met (50.0 %), 1 breached, 0 still running');
    expect(body!.text).toContain('The full report is attached: watchpost-report-acme-2026-10.pdf.');
    expect(file!.headers.get('content-type')).toMatch(/^application\/pdf; name="?watchpost-report-acme-2026-10\.pdf"?$/);
    expect(file!.headers.get('content-disposition')).toMatch(/^attachment; filename="?watchpost-report-acme-2026-10\.pdf"?$/);
    expect(file!.body.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(file!.body.length).toBeGreaterThan(10_000);

    const record = w.store.reportDeliveries.get('acme', '2026-10')!;
    expect(record).toMatchObject({ state: 'sent', attempts: 1, lastError: null, sentAt: utc('2026-11-03T07:00:00') });
    expect(record.messageId).toBe(mail.headers.get('message-id'));
    expect(record.messageId).toBe('<watchpost-report-acme-2026-10@msp.example>');
    expect(record.recipients).toEqual(['it@acme.example', 'Jane Roe <ceo@acme.example>', 'am@msp.example']);
    // globex has no recipients: nothing is sent or recorded for it.
    expect(w.store.reportDeliveries.list().map((d) => d.tenant)).toEqual(['acme']);
    expect(await counter(w)).toEqual([['sent', 1]]);
    expect(w.logs.filter((l) => l.level !== 'info')).toEqual([]);
  });

  it('a restart after sending does not send again (the record), nor does a second tick', async () => {
    const w = await world();
    await w.scheduler().tick();
    expect(accepted(w)).toBe(1);
    w.store.close();
    const reopened = openStore(w.dbFile);
    open.push({ close: () => reopened.close() });
    w.clock.now = utc('2026-11-20T12:00:00');
    await w.scheduler(reopened).tick();
    expect(accepted(w)).toBe(1);
    expect(reopened.reportDeliveries.get('acme', '2026-10')).toMatchObject({ state: 'sent', attempts: 1 });
  });

  it('a 4xx answer is retried after the backoff, then the mail goes; the same Message-ID both times', async () => {
    let answers = 0;
    const w = await world({ smtp: { dataReply: () => (++answers === 1 ? smtpReply(451, '4.7.1 Greylisted, try again later') : null) } });
    const s = w.scheduler();
    await s.tick();
    const pending = w.store.reportDeliveries.get('acme', '2026-10')!;
    expect(pending).toMatchObject({ state: 'pending', attempts: 1, sentAt: null });
    expect(pending.lastError).toBe('SMTP 451 (DATA): 451 4.7.1 Greylisted, try again later');
    // random 0: half the first step of one minute.
    expect(pending.nextAttemptAt).toBe(w.clock.now + 30_000);
    w.clock.now += 29_000;
    await s.tick();
    expect(w.smtp.received).toHaveLength(1);
    w.clock.now += 1_000;
    await s.tick();
    expect(w.smtp.received).toHaveLength(2);
    expect(w.smtp.received[1]!.headers.get('message-id')).toBe(w.smtp.received[0]!.headers.get('message-id'));
    expect(w.store.reportDeliveries.get('acme', '2026-10')).toMatchObject({ state: 'sent', attempts: 2, lastError: null });
    expect(w.logs.map((l) => [l.level, l.msg])).toEqual([
      ['warn', 'monthly report not delivered; will retry'],
      ['info', 'monthly report delivered'],
    ]);
    expect(await counter(w)).toEqual([
      ['retryable', 1],
      ['sent', 1],
    ]);
  });

  it('a 5xx answer marks it failed with the server text and a log line, and it is not tried again', async () => {
    const w = await world({ smtp: { dataReply: () => smtpReply(552, '5.3.4 Message size exceeds fixed limit') } });
    const s = w.scheduler();
    await s.tick();
    const failed = w.store.reportDeliveries.get('acme', '2026-10')!;
    expect(failed).toMatchObject({ state: 'failed', attempts: 1, lastError: 'SMTP 552 (DATA): 552 5.3.4 Message size exceeds fixed limit' });
    expect(w.logs).toEqual([
      {
        level: 'error',
        obj: { tenant: 'acme', month: '2026-10', desk: 'mail', attempt: 1, reason: failed.lastError },
        msg: 'monthly report not delivered: refused for good (report send --force sends it again)',
      },
    ]);
    w.clock.now += 86_400_000;
    await s.tick();
    expect(w.smtp.received).toHaveLength(1);
    expect(await counter(w)).toEqual([['failed', 1]]);
  });

  it('the SMTP password never reaches the record or the log, even when the server echoes it', async () => {
    const w = await world({ smtp: { login: { ...LOGIN, refuse: smtpReply(535, `5.7.8 Authentication failed for ${PASSWORD} (${PLAIN})`) } } });
    await w.scheduler().tick();
    const record = w.store.reportDeliveries.get('acme', '2026-10')!;
    expect(record.state).toBe('failed');
    expect(record.lastError).toMatch(/^SMTP 535 \(AUTH\): 535 5\.7\.8 Authentication failed for /);
    const everything = JSON.stringify([record, w.store.reportDeliveries.list(), w.logs]);
    expect(everything).not.toContain(PASSWORD);
    expect(everything).not.toContain(PLAIN);
    expect(everything).not.toContain(Buffer.from(PASSWORD).toString('base64'));
    expect(w.smtp.logins).toEqual([{ method: 'PLAIN', ...LOGIN }]); // it was really sent, and refused
  });

  it('a report still pending when its month is over is given up, and the next month is not due before its day', async () => {
    const w = await world({ smtp: { dataReply: () => smtpReply(421, '4.3.2 Service shutting down') } });
    const s = w.scheduler();
    await s.tick();
    expect(w.store.reportDeliveries.get('acme', '2026-10')!.state).toBe('pending');
    w.clock.now = utc('2026-12-01T09:00:00'); // 10:00 Berlin on 1 December
    await s.tick();
    expect(w.store.reportDeliveries.get('acme', '2026-10')).toMatchObject({
      state: 'failed',
      lastError: 'not sent by the end of November 2026 (last error: SMTP 421 (DATA): 421 4.3.2 Service shutting down)',
    });
    expect(w.store.reportDeliveries.get('acme', '2026-11')).toBeNull();
    expect(w.smtp.received).toHaveLength(1);
  });
});

describe('report delivery: who', () => {
  it('a tenant added after the month ended, and a removed tenant, get no report by themselves', async () => {
    const w = await world();
    const late = openStore(w.dbFile, { now: () => utc('2026-11-01T12:00:00') });
    open.push({ close: () => late.close() });
    late.tenants.add({ id: 'initech', name: 'Initech' });
    w.store.tenants.markRemoved('acme', utc('2026-11-02T12:00:00'));
    const rules = parseRules(`${rulesText()}\n  initech:\n    terms: { report: { recipients: [it@initech.example] } }\n`, 'rules.yaml', loadRules());
    const s = createReportScheduler({ store: w.store, rules: () => rules, desks: () => w.desks, desksFile: 'desks.yaml', log: w.log, now: () => w.clock.now });
    await s.tick();
    expect(w.smtp.received).toHaveLength(0);
    expect(w.store.reportDeliveries.list()).toEqual([]);
    // November: initech was a client for most of it (its terms are the top level's: UTC, due at 08:00).
    w.clock.now = utc('2026-12-03T08:00:00');
    await s.tick();
    expect(w.smtp.received.map((m) => m.headers.get('subject'))).toEqual(['[MSP] Monthly report Initech November 2026']);
  });
});

describe('report delivery: configuration', () => {
  const parse = (text: string) => parseRules(text, 'rules.yaml', loadRules());
  it('merges key by key across layers and refuses bad values naming the file and key', () => {
    const rules = parse(rulesText());
    expect(rules.terms('acme').report).toEqual({
      recipients: ['it@acme.example', 'Jane Roe <ceo@acme.example>'],
      cc: ['am@msp.example'],
      day: 3,
      at: '08:00',
      format: 'html',
      desk: { name: 'mail', source: 'rules.yaml', path: 'terms.report.desk' },
    });
    expect(rules.terms('globex').report!.recipients).toEqual([]);
    const bad = (yaml: string) => () => parse(yaml);
    expect(bad('tenants: { acme: { terms: { report: { desk: mail, recipients: [it@acme.example, "not an address"] } } } }')).toThrow(
      new ConfigError('rules.yaml: tenants.acme.terms.report.recipients[1]: expected an email address like it@client.example; got "not an address"'),
    );
    expect(bad('terms: { report: { day: 29 } }')).toThrow(/^rules\.yaml: terms\.report\.day: /);
    expect(bad('terms: { report: { at: "8:00" } }')).toThrow(new ConfigError('rules.yaml: terms.report.at: expected a time HH:MM (00:00-23:59); got "8:00"'));
    expect(bad('terms: { report: { format: docx } }')).toThrow(/^rules\.yaml: terms\.report\.format: /);
    expect(bad('tenants: { acme: { terms: { report: { recipients: [it@acme.example] } } } }')).toThrow(
      new ConfigError('rules.yaml: tenants.acme.terms.report.desk: required with recipients (the email desk whose SMTP settings send the report)'),
    );
  });

  it('a desk that is not an email desk of the desks file is reported with the rules key; a reload re-checks', async () => {
    const desks = parseDesks(desksText(25), 'desks.yaml', ENV);
    const hook = parse(rulesText().replace('desk: mail', 'desk: hook'));
    expect(deskProblems(hook, ['acme', 'globex'], desks, 'desks.yaml')).toEqual(
      new Map([['acme', 'rules.yaml: terms.report.desk: desk "hook" is a webhook desk, not an email desk (email desks in desks.yaml: mail)']]),
    );
    const missing = parse(rulesText().replace('desk: mail', 'desk: post'));
    expect(deskProblems(missing, ['acme'], desks, 'desks.yaml').get('acme')).toBe(
      'rules.yaml: terms.report.desk: unknown desk "post" (email desks in desks.yaml: mail)',
    );
    expect(deskProblems(missing, ['acme'], desks, '').get('acme')).toBe(
      'rules.yaml: terms.report.desk: "post" cannot send reports: no desks file is configured (desks.file)',
    );
    expect(deskProblems(parse(rulesText()), ['acme'], parseDesks(desksText(25), 'desks.yaml', {}), 'desks.yaml').get('acme')).toBe(
      'rules.yaml: terms.report.desk: desk "mail" does not load: desks.yaml: desks.mail.password: environment variable SMTP_PASSWORD is not set',
    );

    // The scheduler logs a problem once per rules/desks pair in force, and checks again after a reload.
    const w = await world();
    let rules = missing;
    const logs: string[] = [];
    const log = { info: () => {}, warn: () => {}, error: (_: object, msg: string) => logs.push(msg) };
    const s = createReportScheduler({ store: w.store, rules: () => rules, desks: () => w.desks, desksFile: 'desks.yaml', log, now: () => w.clock.now });
    await s.tick();
    await s.tick();
    expect(logs).toEqual(['monthly report cannot be mailed: rules.yaml: terms.report.desk: unknown desk "post" (email desks in desks.yaml: mail)']);
    expect(w.smtp.received).toHaveLength(0);
    rules = w.rules; // the rules file reloaded, fixed
    await s.tick();
    expect(w.smtp.received).toHaveLength(1);
    expect(logs).toHaveLength(1);
  });
});

describe('report delivery: in the app', () => {
  it('a bad desk reference stops the start naming the key; otherwise the scheduler runs until close', async () => {
    const w = await world();
    const deps = { store: w.store, desks: () => w.desks, desksFile: 'desks.yaml', metrics: createMetrics({ defaultMetrics: false }), tickMs: 0, printer };
    const bad = parseRules(rulesText().replace('desk: mail', 'desk: hook'), 'rules.yaml', loadRules());
    expect(() => registerReportDelivery(Fastify(), { ...deps, rules: () => bad })).toThrow(
      new ConfigError('rules.yaml: terms.report.desk: desk "hook" is a webhook desk, not an email desk (email desks in desks.yaml: mail)'),
    );
    const app = Fastify({ logger: false });
    const scheduler = registerReportDelivery(app, { ...deps, rules: () => w.rules, now: () => w.clock.now });
    await app.ready();
    await scheduler.tick();
    expect(w.smtp.received).toHaveLength(1);
    expect(await deps.metrics.registry.getSingleMetricAsString('watchpost_report_deliveries_total')).toContain(
      'watchpost_report_deliveries_total{result="sent"} 1',
    );
    await app.close();
    w.clock.now = utc('2026-12-03T07:00:00');
    await scheduler.tick(); // stopped with the app: November's report is due, but nothing is sent
    expect(w.smtp.received).toHaveLength(1);
  });
});

describe('report delivery: CLI', () => {
  it('report send mails now and records it, refuses a second time without --force; report deliveries lists', async () => {
    const smtp = await startSmtp({ login: LOGIN });
    open.push(smtp);
    const dataDir = join(dir, 'cli');
    mkdirSync(dataDir);
    const store = openStore(join(dataDir, 'watchpost.db'));
    store.tenants.add({ id: 'acme', name: 'Acme GmbH' });
    store.close();
    writeFileSync(join(dir, 'cli-rules.yaml'), rulesText());
    writeFileSync(join(dir, 'cli-desks.yaml'), desksText(smtp.port));
    const env = { ...ENV, WATCHPOST_DATA_DIR: dataDir, WATCHPOST_RULES_FILE: join(dir, 'cli-rules.yaml'), WATCHPOST_DESKS_FILE: join(dir, 'cli-desks.yaml') };
    const send = (...extra: string[]) => collectorCli(['report', 'send', '--tenant', 'acme', '--month', '2026-09', ...extra], env);

    const first = await send();
    expect([first.code, first.stdout]).toEqual([
      0,
      'sent acme 2026-09 to it@acme.example, Jane Roe <ceo@acme.example>, am@msp.example (<watchpost-report-acme-2026-09@msp.example>)\n',
    ]);
    expect(smtp.received.map((m) => m.headers.get('subject'))).toEqual(['[MSP] Monthly report Acme GmbH September 2026']);
    const again = await send();
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(/^not sent: acme 2026-09 is already sent \d{4}-\d\d-\d\dT[\d:]+Z; --force sends it again\n$/);
    const forced = await send('--force');
    expect(forced.code).toBe(0);
    expect(smtp.received).toHaveLength(2);
    expect(smtp.received[1]!.headers.get('message-id')).not.toBe(smtp.received[0]!.headers.get('message-id'));

    const list = await collectorCli(['report', 'deliveries', '--tenant', 'acme', '--json'], env);
    expect(list.code).toBe(0);
    const rows = JSON.parse(list.stdout) as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ tenant: 'acme', month: '2026-09', state: 'sent', attempts: 2, messageId: smtp.received[1]!.headers.get('message-id') });

    const noDesk = await collectorCli(['report', 'send', '--tenant', 'acme', '--month', '2026-09'], { ...env, WATCHPOST_DESKS_FILE: '' });
    expect(noDesk.code).toBe(2);
    expect(noDesk.stderr).toContain('terms.report.desk: "mail" cannot send reports: no desks file is configured (desks.file)');
  });
});
