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
// InfluxDB 3's v1-compatible /write (its API reference, PostV1Write; the compatibility APIs guide) takes the same
// request (db, rp, precision=ms, Basic credentials whose password is its token) and differs in its refusals:
//   400       {"error": "partial write of line protocol occurred", "data": [{original_line, line_number,
//             error_message}, ...]}: the lines listed (at most 100) were refused, the others written. No dropped=N: the
//             count is the list's length while it is below the cap. All lines refused: "write of line protocol failed".
//   422       the same body when a line would pass a schema limit (columns per table, tables, databases): refused like
//             a 400, since resending cannot succeed until the limit is raised.
//   401       no token or an unknown one, with {"error": "the request was not authenticated"}.
// A missing database is created by the write itself.
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

/** InfluxDB 3 lists at most this many refused lines in a 400's `data` (its /write reference). */
const MAX_LISTED_LINES = 100;

/**
 * influx.url may carry credentials, `https://user:password@host:8181` (percent-encoded where they hold `:/@%`): the URL
 * without them, and them decoded. InfluxDB 1.x checks both; InfluxDB 3 ignores the user and takes the password as its
 * token. Both get them as HTTP Basic credentials (the `influx` package sends them that way too).
 */
export function splitCredentials(url: string): { url: string; username?: string; password?: string } {
  const parsed = new URL(url);
  if (parsed.username === '' && parsed.password === '') return { url };
  const credentials = { username: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) };
  parsed.username = '';
  parsed.password = '';
  return { url: parsed.toString().replace(/\/+$/, ''), ...credentials };
}

/**
 * GETs /query with one read-only statement and returns the parsed answer. The `influx` package's queryRaw always adds
 * an empty `epoch=`, which InfluxDB 3's v1 API refuses (400) before it reads the statement; this sends only db and q,
 * with the URL's credentials as HTTP Basic (as the writer does), so InfluxDB 1.x and InfluxDB 3 answer alike.
 */
export async function queryOverHttp(url: string, database: string, query: string, timeoutMs: number): Promise<unknown> {
  const target = splitCredentials(url);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (target.username !== undefined || target.password !== undefined) {
    headers.authorization = `Basic ${Buffer.from(`${target.username ?? ''}:${target.password ?? ''}`).toString('base64')}`;
  }
  let response: Response;
  try {
    response = await fetch(`${target.url.replace(/\/+$/, '')}/query?${new URLSearchParams({ db: database, q: query })}`, {
      headers,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new Error(describeFetchError(error), { cause: error });
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`InfluxDB answered ${response.status} to a query: ${text.slice(0, 200)}`);
  }
  const error = (body as { error?: unknown }).error;
  if (!response.ok || typeof error === 'string') throw new Error(typeof error === 'string' ? error : `InfluxDB answered ${response.status} to a query`);
  return body;
}

/** POSTs a line-protocol body (lines ended by '\n'), as the writer encoded it when the lines arrived. */
export async function postLines(target: WriteTarget, body: Uint8Array<ArrayBuffer>, timeoutMs: number): Promise<PostOutcome> {
  const query = new URLSearchParams({ db: target.database, rp: target.retentionPolicy, precision: 'ms' });
  const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' };
  if (target.username !== undefined || target.password !== undefined) {
    const credentials = Buffer.from(`${target.username ?? ''}:${target.password ?? ''}`).toString('base64');
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
  if (status === 400 || status === 413 || status === 422) {
    const dropped = droppedLines(body, message);
    return dropped === undefined ? { kind: 'refused', status, reason: message } : { kind: 'refused', status, reason: message, dropped };
  }
  if (status === 404) return { kind: 'retryable', reason: message, missingDatabase: true };
  if (status === 401 || status === 403) return { kind: 'retryable', reason: `InfluxDB refused the credentials: ${message}` };
  return { kind: 'retryable', reason: `InfluxDB answered ${status}: ${message}` };
}

/** A partial write's refused lines: 1.x ends its message with dropped=N; InfluxDB 3 lists them in `data` (see top). */
function droppedLines(body: string, message: string): number | undefined {
  const v1 = /dropped=(\d+)\s*$/.exec(message)?.[1];
  if (v1 !== undefined) return Number(v1);
  if (!message.startsWith('partial write of line protocol')) return undefined;
  try {
    const data: unknown = (JSON.parse(body) as { data?: unknown }).data;
    return Array.isArray(data) && data.length > 0 && data.length < MAX_LISTED_LINES ? data.length : undefined;
  } catch {
    return undefined;
  }
}

/** InfluxDB 1.x and 3 put the reason in {"error": "..."}; anything else is quoted as it came, shortened. */
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
