// A local HTTP endpoint for desk tests: records every request (method, path, headers, raw body) and answers what
// the test says (a status with headers and body, or a dropped connection); `down()` stops listening so requests
// get ECONNREFUSED, `up()` listens again on the same port.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type Answer = { status: number; headers?: Record<string, string>; body?: string } | 'drop';

export interface Receiver {
  url: string;
  received: Received[];
  /** Decides each answer; default 200 {}. */
  answer: (req: Received) => Answer;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const self: Partial<Receiver> & { answer: (req: Received) => Answer } = { answer: () => ({ status: 200, body: '{}' }) };
  const make = (): Server =>
    createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const r = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body };
        received.push(r);
        const a = self.answer(r);
        if (a === 'drop') return req.socket.destroy();
        res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
        res.end(a.body ?? '');
      });
    });
  let server = make();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const stop = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return Object.assign(self, {
    url: `http://127.0.0.1:${port}`,
    received,
    down: stop,
    async up() {
      server = make();
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    },
    close: () => (server.listening ? stop() : Promise.resolve()),
  }) as Receiver;
}
