// The one HTTP classifier every connector shares: a request either worked, may work later, or never will, with a
// reason a person can act on (status and a short, secret-free excerpt of the answer).
import type { DeliveryResult } from './contract.js';

export const REQUEST_TIMEOUT_MS = 15_000;
export const EXCERPT_CHARS = 300;
/** The longest Retry-After honoured; a desk asking for more is retried after this. */
export const MAX_RETRY_AFTER_MS = 15 * 60_000;

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON when it is JSON, else undefined. */
  json: unknown;
}

/** A result that is not ok: retryable or failed, with a reason. */
export type DeliveryFailure = Exclude<DeliveryResult, { kind: 'ok' }>;

export type HttpOutcome = { ok: true; answer: HttpAnswer } | { ok: false; result: DeliveryFailure };

/** Retry-After as milliseconds from now: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  const text = header.trim();
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text) - now;
  return Number.isFinite(ms) ? Math.min(Math.max(0, ms), MAX_RETRY_AFTER_MS) : undefined;
}

/** Replaces every secret (and its Basic-auth base64 forms are the caller's to add) by [redacted]. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join('[redacted]');
  return out;
}

export function excerpt(text: string, secrets: readonly string[] = []): string {
  const flat = redact(text, secrets).replace(/\s+/g, ' ').trim();
  return flat.length > EXCERPT_CHARS ? `${flat.slice(0, EXCERPT_CHARS)}…` : flat;
}

/** 2xx ok; 408, 425, 429 and 5xx retryable (Retry-After honoured); a redirect is a configuration failure (a base URL
 *  on http:// behind an https redirect, a moved instance, an SSO login page): failed, naming where it pointed, since
 *  retrying will never get past it; every other status failed for good. */
export function classifyStatus(status: number, headers: Headers, text: string, now: number, secrets: readonly string[] = []): DeliveryFailure | null {
  if (status >= 200 && status < 300) return null;
  if (status >= 300 && status < 400) {
    const location = headers.get('location');
    return {
      kind: 'failed',
      reason: `HTTP ${status}: the desk answered a redirect${location ? ` to ${redact(location, secrets)}` : ''}; check the desk's base URL (redirects are not followed)`,
    };
  }
  const reason = `HTTP ${status}${text ? `: ${excerpt(text, secrets)}` : ''}`;
  if (status === 408 || status === 425 || status === 429 || status >= 500) {
    const after = retryAfterMs(headers.get('retry-after'), now);
    return after === undefined ? { kind: 'retryable', reason } : { kind: 'retryable', reason, retryAfterMs: after };
  }
  return { kind: 'failed', reason };
}

export interface RequestOptions {
  method: string;
  url: string;
  headers?: Record<string, string>;
  /** Sent as JSON unless a string (sent as is). */
  body?: unknown;
  signal: AbortSignal;
  fetch: typeof fetch;
  now: () => number;
  /** Values never to show in a reason (keys, passwords, tokens). */
  secrets?: readonly string[];
  timeoutMs?: number;
  /**
   * For a desk whose statuses do not mean what HTTP says: consulted for every non-2xx answer before
   * classifyStatus, with the body's text and its JSON (undefined when not JSON); a result it returns is used
   * instead (request() adds the method and path and redacts the secrets), undefined leaves the default. Autotask,
   * for one, answers its validation errors as 500 {"errors": [...]}, which would otherwise be retried forever.
   */
  refine?(status: number, text: string, json: unknown): DeliveryFailure | undefined;
}

/**
 * One HTTP request, classified. Network errors and timeouts are retryable; a non-2xx status is classified by
 * options.refine, else classifyStatus; a 2xx answer is returned with its text and parsed JSON (a connector that needs JSON and gets
 * something else should answer failed, with excerpt(text)).
 */
export async function request(options: RequestOptions): Promise<HttpOutcome> {
  const secrets = options.secrets ?? [];
  const timeout = AbortSignal.timeout(options.timeoutMs ?? REQUEST_TIMEOUT_MS);
  const signal = AbortSignal.any([options.signal, timeout]);
  const isString = typeof options.body === 'string';
  const headers: Record<string, string> = {
    accept: 'application/json',
    ...(options.body !== undefined && !isString ? { 'content-type': 'application/json' } : {}),
    ...options.headers,
  };
  let response: Response;
  try {
    const body = options.body === undefined ? undefined : isString ? (options.body as string) : JSON.stringify(options.body);
    // Never followed: the credentials would go with the request to wherever the redirect points.
    response = await options.fetch(options.url, { method: options.method, headers, ...(body !== undefined ? { body } : {}), signal, redirect: 'manual' });
  } catch (error) {
    const what = timeout.aborted ? `no answer within ${options.timeoutMs ?? REQUEST_TIMEOUT_MS} ms` : (error as Error).message;
    return { ok: false, result: { kind: 'retryable', reason: `${options.method} ${redact(options.url, secrets)}: ${redact(what, secrets)}` } };
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    return { ok: false, result: { kind: 'retryable', reason: `reading the answer failed: ${(error as Error).message}` } };
  }
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  const ok = response.status >= 200 && response.status < 300;
  const classified = ok
    ? null
    : (options.refine?.(response.status, text, json) ?? classifyStatus(response.status, response.headers, text, options.now(), secrets));
  if (classified)
    return {
      ok: false,
      result: { ...classified, reason: `${options.method} ${redact(new URL(options.url).pathname, secrets)}: ${redact(classified.reason, secrets)}` },
    };
  return { ok: true, answer: { status: response.status, headers: response.headers, text, json } };
}
