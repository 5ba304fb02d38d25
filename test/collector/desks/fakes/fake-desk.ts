// A local HTTP server for connector tests: a vendor fake supplies one handler (its documented endpoints over an
// in-memory table); this wraps it with a request log and one-shot faults (an answer instead of the handler's, or
// the handler's work done and then the socket destroyed: the "lost answer" a retry must survive).
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON, undefined when it is not JSON. */
  json: unknown;
}

export interface FakeAnswer {
  status: number;
  /** A string is sent as is (text/html when it starts with '<'); anything else as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
}

export type Fault = { answer: FakeAnswer } | { dropAfterHandling: true };

export interface FakeDesk {
  url: string;
  requests: FakeRequest[];
  /** The next request that matches gets this fault instead of (or after) the normal handling. */
  failNext(match: (r: FakeRequest) => boolean, fault: Fault): void;
  close(): Promise<void>;
}

export const json = (status: number, body: unknown, headers?: Record<string, string>): FakeAnswer => ({ status, body, ...(headers ? { headers } : {}) });

export async function startFakeDesk(handle: (r: FakeRequest) => FakeAnswer): Promise<FakeDesk> {
  const requests: FakeRequest[] = [];
  const faults: Array<{ match: (r: FakeRequest) => boolean; fault: Fault }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = undefined;
      }
      const url = new URL(req.url ?? '/', 'http://fake');
      const r: FakeRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, text, json: body };
      requests.push(r);
      const at = faults.findIndex((f) => f.match(r));
      const fault = at >= 0 ? faults.splice(at, 1)[0]!.fault : undefined;
      if (fault && 'answer' in fault) return send(fault.answer);
      const answer = handle(r);
      if (fault) {
        res.socket?.destroy();
        return;
      }
      send(answer);
    });
    function send(a: FakeAnswer): void {
      const isText = typeof a.body === 'string';
      const payload = a.body === undefined ? '' : isText ? (a.body as string) : JSON.stringify(a.body);
      const type = isText ? ((a.body as string).startsWith('<') ? 'text/html' : 'text/plain') : 'application/json';
      res.writeHead(a.status, { ...(payload ? { 'content-type': type } : {}), ...a.headers });
      res.end(payload);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext: (match, fault) => faults.push({ match, fault }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
