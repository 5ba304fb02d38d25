// The HTTP plumbing under every vendor fake (ConnectWise, Autotask, HaloPSA, Jira, ServiceNow): a node:http server on
// 127.0.0.1:0 that logs every request, hands it to the vendor fake's handler (its documented endpoints over an
// in-memory table), and applies one-shot faults the test arms: a canned answer instead of the handler's (429, 500,
// 400, HTML on a 200), or the handler's work done and then the socket destroyed (the "lost answer" after which a
// retry must find the ticket instead of creating a second one).
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
  /** A string is sent as is (text/html when it starts with '<', else text/plain); anything else as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
}

/** An answer instead of the handler's, or the handler's work done and the answer lost. */
export type Fault = FakeAnswer | 'drop-after-handling';

export interface FakeDesk {
  url: string;
  requests: FakeRequest[];
  /** The next request for which `match` is true gets `fault`. */
  failNext(match: (r: FakeRequest) => boolean, fault: Fault): void;
  close(): Promise<void>;
}

export const reply = (status: number, body?: unknown, headers?: Record<string, string>): FakeAnswer => ({ status, body, ...(headers ? { headers } : {}) });

/** `handle` gets each request and the server's own base URL (for answers that point back at it). */
export async function startFakeDesk(handle: (r: FakeRequest, base: string) => FakeAnswer): Promise<FakeDesk> {
  const requests: FakeRequest[] = [];
  const faults: Array<{ match: (r: FakeRequest) => boolean; fault: Fault }> = [];
  let base = '';
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      const url = new URL(req.url ?? '/', base);
      const r: FakeRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, text, json };
      requests.push(r);
      const at = faults.findIndex((f) => f.match(r));
      const fault = at >= 0 ? faults.splice(at, 1)[0]!.fault : undefined;
      if (fault !== undefined && fault !== 'drop-after-handling') return send(fault);
      const answer = handle(r, base);
      if (fault === 'drop-after-handling') return void req.socket.destroy();
      send(answer);
    });
    function send(a: FakeAnswer): void {
      const isText = typeof a.body === 'string';
      const payload = a.body === undefined ? '' : isText ? (a.body as string) : JSON.stringify(a.body);
      const type = isText
        ? (a.body as string).trimStart().startsWith('<')
          ? 'text/html; charset=utf-8'
          : 'text/plain; charset=utf-8'
        : 'application/json; charset=utf-8';
      res.writeHead(a.status, { ...(payload ? { 'content-type': type } : {}), ...a.headers });
      res.end(payload);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    requests,
    failNext: (match, fault) => faults.push({ match, fault }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
