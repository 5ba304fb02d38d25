// One POST of line protocol to InfluxDB 1.x's /write, with the answer classified for the writer.
//
// Why not the `influx` package here: its writePoints() only takes point objects, which it serializes itself
// (numbers through String(), so an integer field becomes a float unless a schema is declared per measurement),
// and it offers no public way to post line protocol we already built; its pool is private. Node's built-in fetch
// (undici) keeps connections alive by default and takes an abort signal for the timeout.
//
// InfluxDB 1.x /write answers (docs: "InfluxDB API reference", /write HTTP status codes):
//   204       written.
//   400       the request was refused: unparsable line protocol, a field type conflict, a point beyond the
//             retention policy, an invalid tag/field name. With "partial write" the other points of the body
//             WERE written and the message ends with dropped=N. Sending the same body again fails the same way.
//   401/403   bad or missing credentials: a collector configuration problem, not the data's fault.
//   404       database (or retention policy) not found: recreate it and retry.
//   413       body larger than the server's max-body-size.
//   500/503   overloaded, timed out inside InfluxDB, or unavailable: retry later.
export type PostOutcome =
  | { kind: 'ok' }
  /** The data itself was refused; resending the same lines cannot succeed. `dropped` is known for partial writes. */
  | { kind: 'refused'; status: number; reason: string; dropped?: number }
  /** Nothing (certain) was stored; the same lines may succeed later. */
  | { kind: 'retryable'; reason: string; missingDatabase?: boolean };

export interface WriteTarget {
  url: string;
  database: string;
  retentionPolicy: string;
  username?: string;
  password?: string;
}

/** POSTs a line-protocol body (lines ended by '\n'), as the writer encoded it when the lines arrived. */
export async function postLines(target: WriteTarget, body: Uint8Array<ArrayBuffer>, timeoutMs: number): Promise<PostOutcome> {
  const query = new URLSearchParams({ db: target.database, rp: target.retentionPolicy, precision: 'ms' });
  const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' };
  if (target.username !== undefined) {
    const credentials = Buffer.from(`${target.username}:${target.password ?? ''}`).toString('base64');
    headers.authorization = `Basic ${credentials}`;
  }
  try {
    const response = await fetch(`${target.url.replace(/\/+$/, '')}/write?${query}`, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    return classifyWriteResponse(response.status, text);
  } catch (error) {
    return { kind: 'retryable', reason: describeFetchError(error) };
  }
}

export function classifyWriteResponse(status: number, body: string): PostOutcome {
  if (status >= 200 && status < 300) return { kind: 'ok' };
  const message = errorMessage(body) || `HTTP ${status}`;
  if (status === 400 || status === 413) {
    const dropped = /dropped=(\d+)\s*$/.exec(message)?.[1];
    return dropped === undefined ? { kind: 'refused', status, reason: message } : { kind: 'refused', status, reason: message, dropped: Number(dropped) };
  }
  if (status === 404) return { kind: 'retryable', reason: message, missingDatabase: true };
  if (status === 401 || status === 403) return { kind: 'retryable', reason: `InfluxDB refused the credentials: ${message}` };
  return { kind: 'retryable', reason: `InfluxDB answered ${status}: ${message}` };
}

/** InfluxDB 1.x puts the reason in {"error": "..."}; anything else is quoted as it came, shortened. */
function errorMessage(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === 'object' && 'error' in parsed && typeof parsed.error === 'string') return parsed.error;
  } catch {
    // not JSON
  }
  return body.trim().slice(0, 500);
}

/** fetch() hides the socket error (ECONNREFUSED, ...) in `cause`; a timeout is an AbortSignal TimeoutError. */
export function describeFetchError(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'InfluxDB did not answer in time';
  const cause = error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (cause && typeof cause.code === 'string') return `cannot reach InfluxDB: ${cause.code}`;
  return `cannot reach InfluxDB: ${error instanceof Error ? error.message : String(error)}`;
}
