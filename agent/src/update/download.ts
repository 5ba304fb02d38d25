// Downloading an offered executable: a GET streamed to a file, hashed on the way, bounded in size and time. The
// request goes the way every other request to the collector goes (identity/http.ts, identity/tls.ts): the
// collector's TLS pin and the agent's credential as Bearer. The credential and the pin are for the collector only: an offer URL on another
// origin (a CDN) must be https and gets neither, so a wrong URL in an offer cannot carry the credential away.
// Nothing here decides trust: the caller checks the hash and the signature of what was written.
//
// What travels: the agent asks for brotli (`Accept-Encoding: br`) and, when it knows its own executable's hash,
// for a delta from it (`X-Watchpost-Delta-From`). The collector answers with a delta (content type
// DELTA_CONTENT_TYPE, brotli-encoded), the brotli-compressed file, or the plain file, whichever it has ready;
// older agents ask for neither and get the plain file. A delta is rebuilt against the running executable
// (delta.ts); fetchRelease falls back to the full file when the delta fails or its result is not the offered hash.
import { createHash } from 'node:crypto';
import { createWriteStream, rmSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { PassThrough, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress } from 'node:zlib';
import { pinnedTlsOptions, type TlsPin } from '../identity/tls.js';
import { applyDelta, type Applied, type DeltaSource } from './delta.js';

/** An agent executable is Node plus the bundle (about 120 MB); a response past this is not one. */
export const MAX_DOWNLOAD_BYTES = 512 * 1024 * 1024;
/** The whole download: 120 MB at 2 Mbit/s, with room (a delta or a compressed file is far less). */
export const DOWNLOAD_TIMEOUT_MS = 20 * 60_000;
/** No byte for this long: the connection is dead. */
export const DOWNLOAD_IDLE_MS = 60_000;

export interface DownloadRequest {
  url: URL;
  headers: Record<string, string>;
  /** The collector's pin, for a URL on the collector's origin only. */
  tls?: TlsPin;
}

export interface Collector {
  /** Base URL as enrolled (http(s)://host[:port][/path]). */
  server: string;
  credential: string;
  tls?: TlsPin;
}

/**
 * The request for an offer's URL: a path (`/api/v1/releases/...`) is on the collector, under its base path as
 * enroll and the WebSocket use it; an absolute URL on the collector's origin gets the credential and pin too; one on
 * another origin must be https and gets neither. Returns an error message for anything else. Pure; tested.
 */
export function downloadRequest(collector: Collector, offerUrl: string): DownloadRequest | { error: string } {
  if (!offerUrl) return { error: 'the offer has no download URL' };
  const base = new URL(collector.server);
  let url: URL;
  try {
    url = offerUrl.startsWith('/') && !offerUrl.startsWith('//') ? new URL(collector.server.replace(/\/+$/, '') + offerUrl) : new URL(offerUrl);
  } catch {
    return { error: `the offer's download URL is not a URL: ${offerUrl}` };
  }
  if (url.origin === base.origin) {
    return { url, headers: { authorization: `Bearer ${collector.credential}` }, ...(collector.tls ? { tls: collector.tls } : {}) };
  }
  if (url.protocol !== 'https:') return { error: `a download URL off the collector must be https, got ${url.origin}` };
  return { url, headers: {} };
}

/** Content type of a delta response. */
export const DELTA_CONTENT_TYPE = 'application/vnd.watchpost.delta';
/** Request header: the SHA-256 of the executable a delta may start from. */
export const DELTA_FROM_HEADER = 'x-watchpost-delta-from';

/** How the file came: rebuilt from a delta, the brotli-compressed file, or the file as it is. */
export type Transfer = 'delta' | 'compressed' | 'plain';

/** `bytes` is the size of the file written, `wireBytes` what the response body carried. A failure names the
 *  transfer when the response had begun (a failed delta is retried as a full download). */
export type Downloaded =
  { ok: true; sha256: string; bytes: number; transfer: Transfer; wireBytes: number } | { ok: false; reason: string; transfer?: Transfer };

export interface DownloadLimits {
  maxBytes: number;
  timeoutMs: number;
  idleMs: number;
}

export const DEFAULT_DOWNLOAD_LIMITS: DownloadLimits = { maxBytes: MAX_DOWNLOAD_BYTES, timeoutMs: DOWNLOAD_TIMEOUT_MS, idleMs: DOWNLOAD_IDLE_MS };

function get(request: DownloadRequest, abort: AbortController, idleMs: number, deltaFrom: string | undefined): Promise<IncomingMessage> {
  const secure = request.url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const req = (secure ? httpsRequest : httpRequest)(request.url, {
      method: 'GET',
      headers: {
        ...request.headers,
        accept: 'application/octet-stream',
        'accept-encoding': 'br',
        ...(deltaFrom ? { [DELTA_FROM_HEADER]: deltaFrom } : {}),
      },
      // No shared agent: a pooled agent reuses TLS sessions, and a resumed session skips checkServerIdentity.
      agent: false,
      signal: abort.signal,
      ...(secure ? pinnedTlsOptions(request.tls) : {}),
    });
    // Through the controller: a request destroyed with an error after its response began reports only "aborted".
    req.setTimeout(idleMs, () => abort.abort(new Error(`no data for ${idleMs} ms`)));
    req.on('error', reject);
    req.on('response', resolve);
    req.end();
  });
}

export interface DownloadOptions {
  limits?: DownloadLimits;
  /** The new file's permissions (it is an executable). */
  mode?: number;
  /** Aborts the download (the agent is stopping). */
  signal?: AbortSignal;
  /** Asks for a delta from the running executable to the file of `targetSha256`; the answer may still be the file. */
  delta?: { source: DeltaSource; targetSha256: string };
}

/** Counts the bytes that pass, failing past `max`. */
function counter(max: number, count: (n: number) => void, hash?: ReturnType<typeof createHash>): Transform {
  let bytes = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      count(chunk.length);
      if (bytes > max) return done(new Error(`more than the ${max} bytes allowed`));
      hash?.update(chunk);
      done(null, chunk);
    },
  });
}

/** The transfer a response carries, or why it cannot be taken. */
function transferOf(response: IncomingMessage, askedDelta: boolean): Transfer | { error: string } {
  const encoding = String(response.headers['content-encoding'] ?? 'identity')
    .trim()
    .toLowerCase();
  if (encoding !== 'identity' && encoding !== 'br') return { error: `the response has content-encoding ${encoding.slice(0, 40)}, not br` };
  const delta = (response.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase() === DELTA_CONTENT_TYPE;
  if (delta && !askedDelta) return { error: 'the response is a delta, which was not asked for' };
  if (delta && encoding !== 'br') return { error: 'the delta is not brotli-encoded' };
  return delta ? 'delta' : encoding === 'br' ? 'compressed' : 'plain';
}

/**
 * Streams the response body into `dest` (created anew with `mode`), decoding brotli and rebuilding a delta as the
 * response says, hashing what is written. Resolves with the hash and size, or a reason (HTTP status, too big,
 * timeout, aborted, a bad delta, socket or disk error); `dest` is removed on any failure.
 */
export async function downloadFile(request: DownloadRequest, dest: string, options: DownloadOptions = {}): Promise<Downloaded> {
  const limits = options.limits ?? DEFAULT_DOWNLOAD_LIMITS;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(new Error(`not complete within ${limits.timeoutMs} ms`)), limits.timeoutMs);
  const cancel = () => abort.abort(new Error('aborted: the agent is stopping'));
  if (options.signal?.aborted) cancel();
  options.signal?.addEventListener('abort', cancel, { once: true });
  rmSync(dest, { force: true }); // a leftover would keep its own permissions
  const mode = options.mode ?? 0o700;
  let transfer: Transfer | undefined;
  let wireBytes = 0;
  try {
    const response = await get(request, abort, limits.idleMs, options.delta?.source.sha256);
    if (response.statusCode !== 200) {
      response.resume();
      return { ok: false, reason: `HTTP ${response.statusCode ?? 0} from ${request.url.origin}${request.url.pathname}` };
    }
    const announced = Number(response.headers['content-length'] ?? NaN);
    if (announced > limits.maxBytes) {
      response.destroy();
      return { ok: false, reason: `the file is ${announced} bytes, more than the ${limits.maxBytes} allowed` };
    }
    const kind = transferOf(response, options.delta !== undefined);
    if (typeof kind === 'object') {
      response.destroy();
      return { ok: false, reason: kind.error };
    }
    transfer = kind;
    const wire = counter(limits.maxBytes, (n) => (wireBytes += n));
    const decode = transfer === 'plain' ? new PassThrough() : createBrotliDecompress();
    if (transfer === 'delta') {
      const { source, targetSha256 } = options.delta!;
      let applied: Applied | undefined;
      const rebuild = async (decoded: AsyncIterable<Buffer>) => {
        applied = await applyDelta(decoded, source, dest, { targetSha256, maxBytes: limits.maxBytes, mode });
      };
      await pipeline(response, wire, decode, rebuild, { signal: abort.signal });
      return { ok: true, sha256: applied!.sha256, bytes: applied!.bytes, transfer, wireBytes };
    }
    const hash = createHash('sha256');
    let bytes = 0;
    const written = counter(limits.maxBytes, (n) => (bytes += n), hash);
    await pipeline(response, wire, decode, written, createWriteStream(dest, { mode }), { signal: abort.signal });
    return { ok: true, sha256: hash.digest('hex'), bytes, transfer, wireBytes };
  } catch (error) {
    rmSync(dest, { force: true });
    const cause = abort.signal.aborted ? (abort.signal.reason as Error) : (error as Error);
    return { ok: false, reason: cause.message, ...(transfer ? { transfer } : {}) };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', cancel);
  }
}

export interface FetchOptions extends Omit<DownloadOptions, 'delta'> {
  /** The offered SHA-256: a delta whose result differs is not used. */
  sha256: string;
  /** The running executable, to ask for a delta from; null: the full file only. */
  source: DeltaSource | null;
  /** Told why a delta was not used before the full file is fetched instead. */
  onFallback?: (reason: string) => void;
}

/**
 * The offered file in `dest`: from a delta when the collector has one and it rebuilds exactly the offered hash,
 * else the full file (a second request that asks for no delta). The caller still checks hash and signature.
 */
export async function fetchRelease(request: DownloadRequest, dest: string, options: FetchOptions): Promise<Downloaded> {
  const { sha256, source, onFallback, ...download } = options;
  if (source) {
    const got = await downloadFile(request, dest, { ...download, delta: { source, targetSha256: sha256 } });
    if (got.transfer !== 'delta' || options.signal?.aborted) return got;
    if (got.ok && got.sha256 === sha256.toLowerCase()) return got;
    rmSync(dest, { force: true });
    onFallback?.(got.ok ? `the rebuilt executable has sha256 ${got.sha256}, not the offered ${sha256.toLowerCase()}` : got.reason);
  }
  return downloadFile(request, dest, download);
}
