// Downloading an offered executable: a GET streamed to a file, hashed on the way, bounded in size and time. The
// request goes the way every other request to the collector goes (identity/http.ts, identity/tls.ts): the
// collector's TLS pin and the agent's credential as Bearer. The credential and the pin are for the collector only: an offer URL on another
// origin (a CDN) must be https and gets neither, so a wrong URL in an offer cannot carry the credential away.
// Nothing here decides trust: the caller checks the hash and the signature of what was written.
import { createHash } from 'node:crypto';
import { createWriteStream, rmSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pinnedTlsOptions, type TlsPin } from '../identity/tls.js';

/** An agent executable is Node plus the bundle (about 120 MB); a response past this is not one. */
export const MAX_DOWNLOAD_BYTES = 512 * 1024 * 1024;
/** The whole download: 120 MB at 2 Mbit/s, with room. */
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

export type Downloaded = { ok: true; sha256: string; bytes: number } | { ok: false; reason: string };

export interface DownloadLimits {
  maxBytes: number;
  timeoutMs: number;
  idleMs: number;
}

export const DEFAULT_DOWNLOAD_LIMITS: DownloadLimits = { maxBytes: MAX_DOWNLOAD_BYTES, timeoutMs: DOWNLOAD_TIMEOUT_MS, idleMs: DOWNLOAD_IDLE_MS };

function get(request: DownloadRequest, abort: AbortController, idleMs: number): Promise<IncomingMessage> {
  const secure = request.url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const req = (secure ? httpsRequest : httpRequest)(request.url, {
      method: 'GET',
      headers: { ...request.headers, accept: 'application/octet-stream' },
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
}

/**
 * Streams the response body into `dest` (created anew with `mode`), hashing it. Resolves with the hash and size, or
 * a reason (HTTP status, too big, timeout, aborted, socket or disk error); `dest` is removed on any failure.
 */
export async function downloadFile(request: DownloadRequest, dest: string, options: DownloadOptions = {}): Promise<Downloaded> {
  const limits = options.limits ?? DEFAULT_DOWNLOAD_LIMITS;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(new Error(`not complete within ${limits.timeoutMs} ms`)), limits.timeoutMs);
  const cancel = () => abort.abort(new Error('aborted: the agent is stopping'));
  if (options.signal?.aborted) cancel();
  options.signal?.addEventListener('abort', cancel, { once: true });
  rmSync(dest, { force: true }); // a leftover would keep its own permissions
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    const response = await get(request, abort, limits.idleMs);
    if (response.statusCode !== 200) {
      response.resume();
      return { ok: false, reason: `HTTP ${response.statusCode ?? 0} from ${request.url.origin}${request.url.pathname}` };
    }
    const announced = Number(response.headers['content-length'] ?? NaN);
    if (announced > limits.maxBytes) {
      response.destroy();
      return { ok: false, reason: `the file is ${announced} bytes, more than the ${limits.maxBytes} allowed` };
    }
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        if (bytes > limits.maxBytes) return done(new Error(`more than the ${limits.maxBytes} bytes allowed`));
        hash.update(chunk);
        done(null, chunk);
      },
    });
    await pipeline(response, counter, createWriteStream(dest, { mode: options.mode ?? 0o700 }), { signal: abort.signal });
    return { ok: true, sha256: hash.digest('hex'), bytes };
  } catch (error) {
    rmSync(dest, { force: true });
    const cause = abort.signal.aborted ? (abort.signal.reason as Error) : (error as Error);
    return { ok: false, reason: cause.message };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', cancel);
  }
}
