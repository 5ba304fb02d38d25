// The email connector against a real SMTP server (smtp-server on loopback): what a mail client or a PSA's
// email-to-ticket parser receives (subjects, threading headers, footer, recipients, login), and how SMTP refusals,
// greylisting, a closed port, a silent server and TLS problems come back as results.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../collector/src/errors.js';
import type { Connector, DeliveryResult } from '../../../collector/src/desks/contract.js';
import { classifySmtpError, email, emailSubject, type EmailSettings, type SmtpError } from '../../../collector/src/desks/connectors/email.js';
import { selfSignedCert } from '../../helpers/collector.js';
import { deliveryContext, deskEvent } from './events.js';
import { smtpReply, startSmtp, type TestSmtp, type TestSmtpOptions } from './smtp.js';

const PASSWORD = 'hunter2-correct-horse';
const LOGIN = { username: 'watchpost@msp.example', password: PASSWORD };
const deps = { fetch: globalThis.fetch, now: () => Date.parse('2026-11-23T10:00:00Z') };

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const thing of open.splice(0).reverse()) await thing.close();
});

async function smtp(options: TestSmtpOptions = {}): Promise<TestSmtp> {
  const server = await startSmtp(options);
  open.push(server);
  return server;
}

function connector(settings: Partial<EmailSettings> & { port: number }): Connector {
  const full: EmailSettings = { host: '127.0.0.1', require_tls: false, from: 'Watchpost <alerts@msp.example>', to: 'help@psa.example', ...settings };
  email.check?.(full, 'desks.mail');
  const desk = email.create(full, deps);
  open.push({ close: () => desk.close?.() ?? Promise.resolve() });
  return desk;
}

const deliver = (desk: Connector, event = deskEvent('opened')): Promise<DeliveryResult> => desk.deliver(event, deliveryContext());

describe('email: one ticket as a thread', () => {
  it('opened -> escalated -> resolved -> reopened: subjects, one root Message-ID replied to, footers, recipients, login', async () => {
    const server = await smtp({ login: LOGIN });
    const desk = connector({ port: server.port, ...LOGIN, to: ['help@psa.example', 'noc@msp.example'], cc: 'lead@msp.example' });
    const events = [
      deskEvent('opened', {}, 'disk_space fired on srv1'),
      deskEvent('escalated', { priority: 'P1' }, 'priority P2 -> P1: /data used_percent 99.1'),
      deskEvent('resolved', { priority: 'P1' }, 'disk_space cleared on srv1'),
      deskEvent('reopened', { priority: 'P1', reopenCount: 1 }, 'disk_space fired again on srv1'),
    ];
    for (const event of events) expect(await deliver(desk, event)).toEqual({ kind: 'ok' });

    expect(server.received.map((m) => m.headers.get('subject'))).toEqual([
      '[Watchpost] [WP-watchpost-acme-42] P2 Disk space low on srv1',
      '[Watchpost] [WP-watchpost-acme-42] ESCALATED to P1: Disk space low on srv1',
      '[Watchpost] [WP-watchpost-acme-42] RESOLVED: P1 Disk space low on srv1',
      '[Watchpost] [WP-watchpost-acme-42] REOPENED: P1 Disk space low on srv1',
    ]);
    const root = '<watchpost-watchpost-acme-42@msp.example>';
    const [first, ...later] = server.received;
    expect(first!.headers.get('message-id')).toBe(root);
    expect(first!.headers.has('in-reply-to')).toBe(false);
    expect(first!.headers.has('references')).toBe(false);
    later.forEach((mail, i) => {
      expect(mail.headers.get('message-id')).toBe(`<watchpost-watchpost-acme-42-event-${events[i + 1]!.id}@msp.example>`);
      expect(mail.headers.get('in-reply-to')).toBe(root);
      expect(mail.headers.get('references')).toBe(root);
    });
    expect(new Set(server.received.map((m) => m.headers.get('message-id'))).size).toBe(4);

    const resolved = server.received[2]!;
    expect(resolved.text.trimEnd().split('\n').slice(-8)).toEqual([
      'watchpost-ticket=watchpost-acme-42',
      'tenant=acme',
      'host=srv1',
      'rule=disk_space',
      'priority=P1',
      'status=resolved',
      'event=resolved',
      `event-id=${events[2]!.id}`,
    ]);
    expect(resolved.text).toContain('Detail:     disk_space cleared on srv1');
    expect(resolved.text).toContain('Resolved:   2026-11-23T10:05:00Z');
    expect(resolved.text).toContain('respond  due 2026-11-23T09:17:00Z');
    expect(resolved.text).toContain('resolve  due 2026-11-23T17:05:00Z');
    expect(server.received[3]!.text).toContain('status=open\nevent=reopened');
    expect(server.received[1]!.headers.get('x-priority')).toMatch(/^1/);

    for (const mail of server.received) {
      expect(mail.from).toBe('alerts@msp.example');
      expect(mail.to).toEqual(['help@psa.example', 'noc@msp.example', 'lead@msp.example']);
      expect(mail.headers.get('to')).toBe('help@psa.example, noc@msp.example');
      expect(mail.headers.get('cc')).toBe('lead@msp.example');
      expect(mail.headers.get('from')).toBe('Watchpost <alerts@msp.example>');
      expect(mail.secure).toBe(false);
    }
    expect(server.logins).toEqual([{ method: 'PLAIN', ...LOGIN }]);
    expect(server.connections).toBe(1);
  });

  it('an event on a ticket never mailed before still replies to the root id; a repeat keeps its Message-ID', async () => {
    const server = await smtp();
    const desk = connector({ port: server.port, subject_prefix: '' });
    const note = deskEvent('sla_breached', { id: 7, correlationKey: 'watchpost-globex-7', title: 'CPU\nbusy' }, 'respond target breached');
    expect(await deliver(desk, note)).toEqual({ kind: 'ok' });
    expect(await deliver(desk, note)).toEqual({ kind: 'ok' });
    const [a, b] = server.received;
    expect(a!.headers.get('subject')).toBe('[WP-watchpost-globex-7] SLA BREACHED: P2 CPU busy');
    expect(a!.headers.get('in-reply-to')).toBe('<watchpost-watchpost-globex-7@msp.example>');
    expect(b!.headers.get('message-id')).toBe(a!.headers.get('message-id'));
    expect(server.logins).toEqual([]);
  });

  it('close() ends the pooled session', async () => {
    const server = await smtp();
    const desk = email.create({ host: '127.0.0.1', port: server.port, require_tls: false, from: 'alerts@msp.example', to: 'help@psa.example' }, deps);
    expect(await deliver(desk)).toEqual({ kind: 'ok' });
    const closed = server.nextClose();
    await desk.close!();
    await closed;
    expect(await deliver(desk)).toMatchObject({ kind: 'retryable' });
  });
});

describe('email: refusals and outages', () => {
  it.each([
    ['RCPT', 421, 'retryable'],
    ['RCPT', 451, 'retryable'],
    ['RCPT', 450, 'retryable'],
    ['RCPT', 452, 'retryable'],
    ['RCPT', 550, 'failed'],
    ['RCPT', 553, 'failed'],
    ['DATA', 451, 'retryable'],
    ['DATA', 554, 'failed'],
  ] as const)('%s answered %i -> %s with the reply text', async (step, code, kind) => {
    const reply = () => smtpReply(code, `${code === 550 ? '5.1.1 mailbox unavailable' : 'try this'} (${step})`);
    const server = await smtp(step === 'RCPT' ? { onRcptTo: (_a, _s, callback) => callback(reply()) } : { dataReply: reply });
    const result = await deliver(connector({ port: server.port }));
    expect(result.kind).toBe(kind);
    expect(result).toMatchObject({ reason: expect.stringContaining(`SMTP ${code}`) });
    expect(result).toMatchObject({ reason: expect.stringContaining(`(${step})`) });
    expect(server.received).toHaveLength(step === 'DATA' ? 1 : 0);
  });

  it('one recipient of two refused: ok (a retry would mail the other twice), the refusal logged', async () => {
    const server = await smtp({ onRcptTo: (address, _s, callback) => callback(address.address.startsWith('gone') ? smtpReply(550, '5.1.1 unknown') : null) });
    const ctx = deliveryContext();
    expect(await connector({ port: server.port, to: ['help@psa.example', 'gone@psa.example'] }).deliver(deskEvent('opened'), ctx)).toEqual({ kind: 'ok' });
    expect(server.received.map((m) => m.to)).toEqual([['help@psa.example']]);
    expect(ctx.lines).toEqual([{ level: 'warn', obj: expect.objectContaining({ rejected: ['gone@psa.example'] }), msg: expect.any(String) }]);
  });

  it('550 names the mailbox reason', async () => {
    const server = await smtp({
      onRcptTo: (address, _s, callback) => callback(smtpReply(550, `5.1.1 <${address.address}>: Recipient address rejected: User unknown`)),
    });
    const result = await deliver(connector({ port: server.port }));
    expect(result).toEqual({ kind: 'failed', reason: expect.stringMatching(/^SMTP 550 \(RCPT\): .*Recipient address rejected: User unknown/) });
  });

  it('a wrong password is failed with the 535 reply, and the password is redacted even when the server echoes it', async () => {
    const plain = Buffer.from(`\u0000${LOGIN.username}\u0000${PASSWORD}`).toString('base64');
    const server = await smtp({ login: { ...LOGIN, refuse: smtpReply(535, `5.7.8 bad credentials ${PASSWORD} ${plain}`) } });
    const result = await deliver(connector({ port: server.port, ...LOGIN }));
    expect(result).toMatchObject({ kind: 'failed', reason: expect.stringContaining('535') });
    expect(result).toMatchObject({ reason: expect.stringContaining('[redacted]') });
    expect(JSON.stringify(result)).not.toContain(PASSWORD);
    expect(JSON.stringify(result)).not.toContain(plain);
    expect(server.logins).toEqual([{ method: 'PLAIN', ...LOGIN }]);
  });

  it('a closed port is retryable', async () => {
    const port = await closedPort();
    const result = await deliver(connector({ port, ...LOGIN }));
    expect(result).toMatchObject({ kind: 'retryable', reason: expect.stringMatching(/ECONNREFUSED|ESOCKET|ECONNECTION/) });
    expect(JSON.stringify(result)).not.toContain(PASSWORD);
  });

  it('a server that never greets is retryable after connection_timeout', async () => {
    const silent = await silentServer();
    const result = await deliver(connector({ port: silent.port, connection_timeout: '200ms' }));
    expect(result).toMatchObject({ kind: 'retryable', reason: expect.stringContaining('ETIMEDOUT') });
  });

  it('a delivery aborted by the dispatcher is retryable', async () => {
    const server = await smtp();
    const controller = new AbortController();
    controller.abort();
    const result = await connector({ port: server.port }).deliver(deskEvent('opened'), { ...deliveryContext(), signal: controller.signal });
    expect(result.kind).toBe('retryable');
    expect(server.received).toEqual([]);
  });
});

describe('email: TLS', () => {
  let dir: string;
  let cert: ReturnType<typeof selfSignedCert>;
  let key: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'wp-email-'));
    cert = selfSignedCert(dir);
    key = readFileSync(cert.key, 'utf8');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('STARTTLS required, server certificate trusted through tls_ca_file: sent on TLS, login after the upgrade', async () => {
    const server = await smtp({ key, cert: cert.pem, disabledCommands: [], allowInsecureAuth: false, login: LOGIN });
    const result = await deliver(connector({ port: server.port, require_tls: true, tls_ca_file: cert.cert, ...LOGIN }));
    expect(result).toEqual({ kind: 'ok' });
    expect(server.received[0]!.secure).toBe(true);
    expect(server.logins).toEqual([{ method: 'PLAIN', ...LOGIN }]);
  });

  it('implicit TLS (secure) with tls_ca_file', async () => {
    const server = await smtp({ secure: true, key, cert: cert.pem, login: LOGIN });
    expect(await deliver(connector({ port: server.port, secure: true, tls_ca_file: cert.cert, ...LOGIN }))).toEqual({ kind: 'ok' });
    expect(server.received[0]!.secure).toBe(true);
  });

  it('an untrusted certificate is retryable and nothing is sent', async () => {
    const server = await smtp({ key, cert: cert.pem, disabledCommands: [], login: LOGIN });
    const result = await deliver(connector({ port: server.port, require_tls: true, ...LOGIN }));
    expect(result).toMatchObject({ kind: 'retryable', reason: expect.stringMatching(/certificate/i) });
    expect(server.logins).toEqual([]);
    expect(server.received).toEqual([]);
  });

  it('require_tls against a server without STARTTLS is failed (the 5xx refusal): nothing sent, no login in the clear', async () => {
    const server = await smtp({ login: LOGIN });
    const result = await deliver(connector({ port: server.port, require_tls: true, ...LOGIN }));
    expect(result).toMatchObject({ kind: 'failed', reason: expect.stringContaining('(STARTTLS)') });
    expect(server.logins).toEqual([]);
    expect(server.received).toEqual([]);
  });
});

describe('email: settings', () => {
  const base = { host: 'smtp.msp.example', from: 'alerts@msp.example', to: 'help@psa.example' };

  it('schema defaults', () => {
    const settings = Value.Default(email.schema, structuredClone(base));
    expect(Value.Check(email.schema, settings)).toBe(true);
    expect(settings).toEqual({ ...base, port: 587, secure: false, require_tls: true, subject_prefix: '[Watchpost]', connection_timeout: '30s' });
  });

  it.each([
    [{ from: 'alerts' }, 'desks.mail.from'],
    [{ to: ['help@psa.example', 'nobody'] }, 'desks.mail.to[1]'],
    [{ cc: 'x y' }, 'desks.mail.cc'],
    [{ password: PASSWORD }, 'desks.mail.username'],
    [{ username: 'u@x' }, 'desks.mail.password'],
    [{ tls_ca_file: '/nonexistent/ca.pem' }, 'desks.mail.tls_ca_file'],
    [{ connection_timeout: '0s' }, 'desks.mail.connection_timeout'],
  ])('check refuses %j naming %s', (over, key) => {
    expect(() => email.check!({ ...base, ...over } as EmailSettings, 'desks.mail')).toThrow(ConfigError);
    expect(() => email.check!({ ...base, ...over } as EmailSettings, 'desks.mail')).toThrow(new RegExp(`^${key.replace(/[.[\]]/g, '\\$&')}: `));
  });

  it('the schema refuses a bad port and timeout', () => {
    expect(Value.Check(email.schema, { ...base, port: 0 })).toBe(false);
    expect(Value.Check(email.schema, { ...base, connection_timeout: 'soon' })).toBe(false);
    expect(Value.Check(email.schema, { ...base, to: [] })).toBe(false);
  });
});

describe('email: pure parts', () => {
  it.each([
    ['opened', 'P2', '[Watchpost] [WP-k] P2 Disk full'],
    ['updated', 'P2', '[Watchpost] [WP-k] P2 Disk full'],
    ['escalated', 'P1', '[Watchpost] [WP-k] ESCALATED to P1: Disk full'],
    ['deescalated', 'P3', '[Watchpost] [WP-k] DE-ESCALATED to P3: Disk full'],
    ['resolved', 'P2', '[Watchpost] [WP-k] RESOLVED: P2 Disk full'],
    ['reopened', 'P2', '[Watchpost] [WP-k] REOPENED: P2 Disk full'],
    ['sla_approaching', 'P4', '[Watchpost] [WP-k] SLA WARNING: P4 Disk full'],
  ] as const)('subject of %s (%s)', (kind, priority, subject) => {
    expect(emailSubject(deskEvent(kind, { correlationKey: 'k', priority, title: 'Disk full' }), '[Watchpost]')).toBe(subject);
  });

  const secrets = [PASSWORD];
  /** Two recipients refused: one for good (550), the other with this code. */
  const rejectedRecipients = (second: number): SmtpError => ({
    message: 'x',
    code: 'EENVELOPE',
    responseCode: 550,
    response: '550 no',
    rejectedErrors: [
      { message: 'y', responseCode: 550 },
      { message: 'z', responseCode: second },
    ],
  });
  it.each<[SmtpError, DeliveryResult['kind']]>([
    [{ message: 'x', code: 'EENVELOPE', responseCode: 421, response: '421 4.3.2 shutting down', command: 'RCPT TO' }, 'retryable'],
    [{ message: 'x', code: 'EENVELOPE', responseCode: 503, response: '503 bad sequence', command: 'RCPT TO' }, 'retryable'],
    [{ message: 'x', code: 'EAUTH', responseCode: 535, response: `535 nope ${PASSWORD}`, command: 'AUTH PLAIN' }, 'failed'],
    [rejectedRecipients(451), 'retryable'],
    [rejectedRecipients(553), 'failed'],
    [{ message: `connect ECONNREFUSED ${PASSWORD}`, code: 'ESOCKET' }, 'retryable'],
    [{ message: 'Greeting never received', code: 'ETIMEDOUT' }, 'retryable'],
    [{ message: 'Invalid greeting', code: 'EPROTOCOL' }, 'failed'],
    [{ message: 'Missing credentials for "PLAIN"', code: 'EAUTH' }, 'failed'],
    [{ message: 'No recipients defined', code: 'EENVELOPE' }, 'failed'],
    [{ message: 'something odd' }, 'retryable'],
  ])('classify %j -> %s', (error, kind) => {
    const result = classifySmtpError(error, secrets);
    expect(result.kind).toBe(kind);
    expect(result.reason).not.toContain(PASSWORD);
  });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Accepts connections and says nothing (a hung relay). */
async function silentServer(): Promise<{ port: number }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  open.push({
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
  return { port: (server.address() as { port: number }).port };
}
