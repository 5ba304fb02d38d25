// The HTTP plumbing under the ConnectWise and Autotask fakes: a node:http server on 127.0.0.1:0 that logs every
// request, hands it to the vendor fake's handler, and applies one-shot faults the test arms: a canned answer instead
// of the handler's (429, 500, 400, HTML), or the handler's work done and then the socket destroyed (the "lost
// answer" after which a retry must find the ticket instead of creating a second one).
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Req {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body as JSON; undefined when it is not JSON. */
  json: unknown;
}

/** A string body is sent as text/html; anything else as JSON. */
export interface Res {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Fault = Res | 'drop-after-handling';

export interface Harness {
  url: string;
  requests: Req[];
  /** The next request for which `match` is true gets `fault`. */
  fault(match: (r: Req) => boolean, fault: Fault): void;
  close(): Promise<void>;
}

export const reply = (status: number, body?: unknown, headers?: Record<string, string>): Res => ({ status, body, ...(headers ? { headers } : {}) });

export async function startHarness(handle: (r: Req, base: string) => Res): Promise<Harness> {
  const requests: Req[] = [];
  const faults: Array<{ match: (r: Req) => boolean; fault: Fault }> = [];
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
      const r: Req = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, text, json };
      requests.push(r);
      const at = faults.findIndex((f) => f.match(r));
      const fault = at >= 0 ? faults.splice(at, 1)[0]!.fault : undefined;
      if (fault !== undefined && fault !== 'drop-after-handling') return send(fault);
      const answer = handle(r, base);
      if (fault === 'drop-after-handling') return void req.socket.destroy();
      send(answer);
    });
    function send(a: Res): void {
      const payload = a.body === undefined ? '' : typeof a.body === 'string' ? a.body : JSON.stringify(a.body);
      const type = typeof a.body === 'string' ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8';
      res.writeHead(a.status, { ...(payload ? { 'content-type': type } : {}), ...a.headers });
      res.end(payload);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    requests,
    fault: (match, fault) => faults.push({ match, fault }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
