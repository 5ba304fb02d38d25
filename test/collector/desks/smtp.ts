// A real SMTP server for connector tests (smtp-server on 127.0.0.1:0) that records what it is sent, plus the few
// lines of RFC 5322 parsing the assertions need (mailparser is not a dependency): unfolded headers by lower-case
// name, and the text body with quoted-printable undone.
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  /** Whether the session was on TLS (implicit or after STARTTLS) when the message came. */
  secure: boolean;
  raw: string;
  headers: Map<string, string>;
  text: string;
}

export interface SmtpLogin {
  method: string;
  username: string | undefined;
  password: string | undefined;
}

export interface TestSmtp {
  port: number;
  received: ReceivedMail[];
  logins: SmtpLogin[];
  /** Sessions opened so far (pooled delivery reuses one). */
  connections: number;
  /** Resolves when the next open session ends. */
  nextClose(): Promise<void>;
  close(): Promise<void>;
}

/** An error the server answers with: the SMTP reply code and text. */
export const smtpReply = (responseCode: number, text: string): Error => Object.assign(new Error(text), { responseCode });

export interface TestSmtpOptions extends Omit<SMTPServerOptions, 'onData'> {
  /** The login the server accepts; absent: AUTH is optional and any login is refused. */
  login?: { username: string; password: string; refuse?: Error };
  /** Answer to DATA after the message was read (recorded either way); default accept. */
  dataReply?: () => Error | null;
}

export function parseMail(raw: string): { headers: Map<string, string>; text: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n(?=[ \t])/g, '');
  const headers = new Map<string, string>();
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  let body = raw.slice(split + 4);
  if (/quoted-printable/i.test(headers.get('content-transfer-encoding') ?? '')) {
    body = Buffer.from(
      body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
      'latin1',
    ).toString('utf8');
  }
  return { headers, text: body.replace(/\r\n/g, '\n') };
}

export async function startSmtp(options: TestSmtpOptions = {}): Promise<TestSmtp> {
  const { login, dataReply, ...serverOptions } = options;
  const received: ReceivedMail[] = [];
  const logins: SmtpLogin[] = [];
  const closeWaiters: Array<() => void> = [];
  const state = { connections: 0 };
  const server = new SMTPServer({
    logger: false,
    authOptional: !login,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    ...serverOptions,
    onConnect(_session, callback) {
      state.connections++;
      callback();
    },
    onClose() {
      closeWaiters.splice(0).forEach((resolve) => resolve());
    },
    onAuth(auth, _session, callback) {
      logins.push({ method: auth.method, username: auth.username, password: auth.password ?? undefined });
      if (login && !login.refuse && auth.username === login.username && auth.password === login.password) return callback(null, { user: auth.username });
      callback(login?.refuse ?? smtpReply(535, 'Authentication failed'));
    },
    onData(stream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const envelope = session.envelope;
        received.push({
          from: envelope.mailFrom ? envelope.mailFrom.address : '',
          to: envelope.rcptTo.map((r) => r.address),
          secure: session.secure,
          raw,
          ...parseMail(raw),
        });
        callback(dataReply?.() ?? null);
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    received,
    logins,
    get connections() {
      return state.connections;
    },
    nextClose: () => new Promise<void>((resolve) => closeWaiters.push(resolve)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
