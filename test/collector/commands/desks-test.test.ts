// `watchpost-collector desks test DESK` as a user runs it (a subprocess with a desks file): the route it picks (a
// tenant's, with its overrides, or default_desks), the checks it prints, exit 0/1/2, and no secret in the output.
// Email is tested against a real SMTP server on loopback (nodemailer's verify: connect, EHLO, AUTH, nothing sent), a
// ticketing desk against the ServiceNow fake (fakes/servicenow.ts) on loopback.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { collectorCli } from '../../helpers/collector-cli.js';
import { smtpReply, startSmtp, type TestSmtp, type TestSmtpOptions } from '../desks/smtp.js';
import { SN_USER, startServiceNowFake } from '../desks/fakes/servicenow.js';

const PASSWORD = 'hunter2-correct-horse';
const LOGIN = { username: 'watchpost@msp.example', password: PASSWORD };
const WEBHOOK_SECRET = 'whsec-0123456789abcdef';

const open: TestSmtp[] = [];
afterEach(async () => {
  for (const server of open.splice(0)) await server.close();
});

async function smtp(options: TestSmtpOptions = {}): Promise<TestSmtp> {
  const server = await startSmtp(options);
  open.push(server);
  return server;
}

/** A desks file with an email desk on `port` (its password from the environment, `mailExtra` lines added) and a webhook desk. */
function desksFile(port: number, routing: string, mailExtra = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'wp-desks-test-'));
  const file = join(dir, 'desks.yaml');
  writeFileSync(
    file,
    `desks:
  mail:
    type: email
    host: 127.0.0.1
    port: ${port}
    require_tls: false${mailExtra}
    username: ${LOGIN.username}
    password: \${SMTP_PASSWORD}
    from: Watchpost <alerts@msp.example>
    to: help@psa.example
  hook:
    type: webhook
    url: http://127.0.0.1:9/hooks/watchpost
    secret: \${WEBHOOK_SECRET}
${routing}`,
  );
  return file;
}

const run = (args: string[], file: string, env: Record<string, string> = {}) =>
  collectorCli(['desks', 'test', ...args], {
    WATCHPOST_DATA_DIR: mkdtempSync(join(tmpdir(), 'wp-cli-')),
    WATCHPOST_DESKS_FILE: file,
    SMTP_PASSWORD: PASSWORD,
    WEBHOOK_SECRET,
    ...env,
  });

const DEFAULT_ROUTING = 'default_desks: [ { desk: mail }, { desk: hook } ]\n';

describe('desks test', () => {
  it('email: logs in on a real SMTP server, sends nothing, prints ✓ and exits 0 (default_desks route)', async () => {
    const server = await smtp({ login: LOGIN });
    const result = await run(['mail'], desksFile(server.port, DEFAULT_ROUTING));
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toBe(
      'desk mail (email), route of default_desks\n' +
        `✓ SMTP session (connect, TLS, login): 127.0.0.1:${server.port}: connected (STARTTLS when offered), login as ${LOGIN.username} accepted; nothing sent\n`,
    );
    expect(server.logins).toEqual([{ method: 'PLAIN', ...LOGIN }]);
    expect(server.received).toEqual([]);
  });

  it('email: a refused login is ✗ with the 535 reply, exit 1, and the password is redacted even when the server echoes it', async () => {
    const server = await smtp({ login: { ...LOGIN, refuse: smtpReply(535, `5.7.8 bad credentials for ${PASSWORD}`) } });
    const result = await run(['mail'], desksFile(server.port, DEFAULT_ROUTING));
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^✗ SMTP session \(connect, TLS, login\): 127\.0\.0\.1:\d+ \(STARTTLS when offered\): SMTP 535 \(AUTH\): .*\[redacted\]/m);
    expect(result.stdout + result.stderr).not.toContain(PASSWORD);
    expect(server.received).toEqual([]);
  });

  it('--json prints the desk, the route used and each check', async () => {
    const server = await smtp({ login: LOGIN });
    const result = await run(['mail', '--json'], desksFile(server.port, DEFAULT_ROUTING));
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      desk: 'mail',
      type: 'email',
      tenant: null,
      route: 'default_desks',
      ok: true,
      checks: [{ check: 'SMTP session (connect, TLS, login)', ok: true, detail: expect.stringContaining('nothing sent') }],
    });
  });

  it("--tenant tests that tenant's route with its overrides; without it, the first tenant routing to the desk", async () => {
    const server = await smtp({ login: LOGIN });
    const file = desksFile(
      server.port,
      `tenants:
  globex:
    desks: [ { desk: hook } ]
  acme:
    desks: [ { desk: mail, username: someone-else@msp.example } ]
  initech:
    desks: [ { desk: mail } ]
`,
    );
    const acme = await run(['mail', '--tenant', 'acme'], file);
    expect(acme.code).toBe(1);
    expect(acme.stdout).toContain('desk mail (email), route of tenant acme (tenants.acme)\n✗ SMTP session');
    const initech = await run(['mail', '--tenant', 'initech'], file);
    expect(initech).toMatchObject({ code: 0, stdout: expect.stringContaining('route of tenant initech (tenants.initech)') });
    const first = await run(['mail'], file);
    expect(first).toMatchObject({ code: 1, stdout: expect.stringContaining('route of tenant acme (tenants.acme)') });
    expect(server.logins.map((l) => l.username)).toEqual(['someone-else@msp.example', LOGIN.username, 'someone-else@msp.example']);
  });

  it('a desk that never answers is one ✗ after --timeout, exit 1', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as { port: number }).port;
      // The SMTP server never greets; the session's own timeout (2s) ends it after the command has answered.
      const file = desksFile(port, DEFAULT_ROUTING, '\n    connection_timeout: 2s');
      const result = await run(['mail', '--timeout', '500ms'], file);
      expect(result).toMatchObject({ code: 1, stdout: expect.stringContaining('✗ desk test: no result within 500 ms') });
    } finally {
      silent.close();
    }
  });

  it('a tenant the file does not list is tested on default_desks', async () => {
    const server = await smtp({ login: LOGIN });
    const result = await run(['mail', '--tenant', 'newco'], desksFile(server.port, `${DEFAULT_ROUTING}tenants:\n  acme:\n    desks: [ { desk: hook } ]\n`));
    expect(result).toMatchObject({ code: 0, stdout: expect.stringContaining('desk mail (email), route of tenant newco (default_desks)\n✓') });
  });

  it.each([
    [['nope'], 'unknown desk "nope" (desks: mail, hook)'],
    [['mail', '--tenant', 'acme'], 'tenant acme does not route to desk "mail" (its desks, from tenants.acme: hook)'],
    [['mail', 'hook'], 'expected exactly one desk name'],
    [['mail', '--timeout', 'soon'], 'expected a duration'],
  ])('exits 2 naming the problem: %j', async (args, message) => {
    const result = await run(args, desksFile(2525, 'tenants:\n  acme:\n    desks: [ { desk: hook } ]\n'));
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toContain(message);
  });

  it('exits 2 for a desk no route uses', async () => {
    const result = await run(['mail'], desksFile(2525, 'default_desks: [ { desk: hook } ]\n'));
    expect(result).toMatchObject({ code: 2, stderr: expect.stringContaining('desk "mail" is in no route') });
  });

  it('exits 2 for a webhook: it has no harmless call, and nothing is sent to it', async () => {
    const result = await run(['hook'], desksFile(2525, DEFAULT_ROUTING));
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toBe('desk hook (webhook), route of default_desks\nwebhook: a webhook receiver has no harmless call; it is only tested by sending\n');
    expect(result.stderr).not.toContain(WEBHOOK_SECRET);
  });

  it('a ticketing desk (ServiceNow): its test reads and creates nothing; a refused password is ✗ auth, exit 1, the password unshown', async () => {
    const sn = await startServiceNowFake();
    try {
      const dir = mkdtempSync(join(tmpdir(), 'wp-desks-test-'));
      const file = join(dir, 'desks.yaml');
      writeFileSync(
        file,
        `desks:\n  snow:\n    type: servicenow\n    url: ${sn.url}\n    username: ${SN_USER.username}\n    password: \${SN_PASSWORD}\ndefault_desks: [ { desk: snow } ]\n`,
      );
      const good = await run(['snow'], file, { SN_PASSWORD: SN_USER.password });
      expect(good).toMatchObject({ code: 0, stderr: '' });
      expect(good.stdout).toMatch(/^desk snow \(servicenow\), route of default_desks\n✓ auth: .*\n(✓ .*\n)*✓ correlation_id: .*\n$/);
      const bad = await run(['snow'], file, { SN_PASSWORD: 'wrong-password-0000' });
      expect(bad.code).toBe(1);
      expect(bad.stdout).toMatch(/^✗ auth: .*HTTP 401/m);
      expect(bad.stdout + bad.stderr).not.toContain('wrong-password-0000');
      expect(sn.requests.every((r) => r.method === 'GET')).toBe(true);
      expect(sn.incidents.size).toBe(0);
    } finally {
      await sn.close();
    }
  });

  it('exits 2 when no desks file is configured', async () => {
    const result = await run(['mail'], '');
    expect(result).toMatchObject({ code: 2, stderr: expect.stringContaining('desks.file: not set') });
  });
});
