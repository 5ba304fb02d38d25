// Small pieces the REST connectors (HaloPSA, Jira Service Management, ServiceNow) share on top of http.ts: a step
// result that is either a value or the delivery failure to return, JSON answers that must be JSON (a proxy's HTML
// login page on a 200 is a failure, not a ticket), Basic credentials with their redaction forms, an OAuth2
// client-credentials token cache, and deliverTo(): the find-or-create-then-apply order every ticketing desk follows.
import type { ConnectorDeps, DeliveryContext, DeliveryResult, DeskEvent } from '../contract.js';
import { excerpt, request, type DeliveryFailure, type HttpAnswer, type HttpOutcome } from '../http.js';

/** Refresh a token this long before the desk said it expires (clock skew, slow requests). */
export const TOKEN_EARLY_REFRESH_MS = 60_000;
/** Lifetime assumed when a token answer has no expires_in. */
export const DEFAULT_TOKEN_LIFETIME_S = 3600;

export type Step<T> = { ok: true; value: T } | { ok: false; result: DeliveryFailure };
export const done = <T>(value: T): Step<T> => ({ ok: true, value });

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The answer's JSON, or failed with an excerpt when the desk answered something else (HTML, text, nothing). */
export function jsonAnswer(outcome: HttpOutcome, what: string, secrets: readonly string[]): Step<unknown> {
  if (!outcome.ok) return outcome;
  const { json, text } = outcome.answer;
  if (json === undefined || json === null || typeof json !== 'object') {
    return { ok: false, result: { kind: 'failed', reason: `${what}: expected a JSON answer, got ${text ? `"${excerpt(text, secrets)}"` : 'an empty body'}` } };
  }
  return done(json);
}

/** A 2xx whose body is not needed (an update's echo, a 204): still failed when it is neither empty nor JSON,
 *  since an HTML page on a 200 (a proxy's or SSO login) means the desk never saw the request. */
export function accepted(outcome: HttpOutcome, what: string, secrets: readonly string[]): Step<HttpAnswer> {
  if (!outcome.ok) return outcome;
  const { json, text } = outcome.answer;
  if (json === undefined && text.trim()) return { ok: false, result: { kind: 'failed', reason: `${what}: expected JSON or no body, got "${excerpt(text, secrets)}"` } };
  return done(outcome.answer);
}

/** Authorization header value for Basic auth, and every form of the secret a reason must never show. */
export function basicAuth(user: string, secret: string): { header: string; secrets: string[] } {
  const encoded = Buffer.from(`${user}:${secret}`).toString('base64');
  return { header: `Basic ${encoded}`, secrets: [secret, encoded] };
}

export interface ClientCredentials {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope?: string;
}

/**
 * OAuth2 client-credentials tokens (RFC 6749 section 4.4): fetched on first use with a form-encoded POST, kept
 * until TOKEN_EARLY_REFRESH_MS before expires_in runs out (deps.now is the clock), dropped by invalidate() when the
 * desk answers 401 so the next call fetches a fresh one. Concurrent callers may each fetch one; that is harmless.
 */
export class TokenCache {
  private token: string | null = null;
  private expiresAt = 0;

  constructor(
    private readonly creds: ClientCredentials,
    private readonly deps: ConnectorDeps,
  ) {}

  /** Values to redact from reasons: the client secret and the current token. */
  secrets(): string[] {
    return this.token ? [this.creds.clientSecret, this.token] : [this.creds.clientSecret];
  }

  invalidate(): void {
    this.token = null;
  }

  async get(signal: AbortSignal): Promise<Step<string>> {
    if (this.token && this.deps.now() < this.expiresAt) return done(this.token);
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: this.creds.clientId, client_secret: this.creds.clientSecret });
    if (this.creds.scope) form.set('scope', this.creds.scope);
    const outcome = await request({
      method: 'POST',
      url: this.creds.tokenUrl,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
      signal,
      fetch: this.deps.fetch,
      now: this.deps.now,
      secrets: this.secrets(),
    });
    const json = jsonAnswer(outcome, 'token request', this.secrets());
    if (!json.ok) return json;
    const body = json.value as Record<string, unknown>;
    if (typeof body.access_token !== 'string' || !body.access_token) {
      return { ok: false, result: { kind: 'failed', reason: 'token request: the answer has no access_token' } };
    }
    const lifetimeS = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : DEFAULT_TOKEN_LIFETIME_S;
    this.token = body.access_token;
    this.expiresAt = this.deps.now() + Math.max(0, lifetimeS * 1000 - TOKEN_EARLY_REFRESH_MS);
    return done(this.token);
  }
}

/** Cuts a one-line title to `max` characters, keeping room for a suffix. */
export function clip(text: string, max: number, suffix = ''): string {
  const room = max - suffix.length;
  const flat = text.replace(/\s+/g, ' ').trim();
  return (flat.length > room ? `${flat.slice(0, Math.max(0, room - 1))}…` : flat) + suffix;
}

/** A note's text: the event's detail, or its kind when the detail is empty (desks refuse empty notes). */
export const noteText = (e: { kind: string; detail: string }): string => e.detail.trim() || e.kind.replace(/_/g, ' ');

/** The ticket's facts as plain text lines, shared by the connectors' descriptions. */
export function ticketFacts(t: { summary: string; host: string; tenant: string; ruleId: string; priority: string; urgency: string; impact: string; openedAt: number; correlationKey: string }): string {
  return [
    t.summary,
    '',
    `Host: ${t.host}`,
    `Tenant: ${t.tenant}`,
    `Rule: ${t.ruleId}`,
    `Priority: ${t.priority} (urgency ${t.urgency}, impact ${t.impact})`,
    `Opened: ${new Date(t.openedAt).toISOString()}`,
    `Watchpost key: ${t.correlationKey}`,
  ].join('\n');
}

/** What a ticketing desk connector does; deliverTo() runs them in the contract's order. */
export interface DeskOps {
  /** The desk's id of the ticket carrying this correlation key, or null when there is none. */
  find(key: string, ctx: DeliveryContext): Promise<Step<string | null>>;
  /** Creates the ticket from the event's snapshot (correlation key included); answers its id. */
  create(event: DeskEvent, ctx: DeliveryContext): Promise<Step<string>>;
  /** Applies any event but 'opened' to a ticket the desk has. */
  apply(event: DeskEvent, id: string, ctx: DeliveryContext): Promise<Step<unknown>>;
  /** A link a person can open, when the desk has a stable one. */
  link?(id: string): string;
}

/**
 * The delivery contract for ticketing desks: with no remote id yet, search by the correlation key and create only
 * when nothing is found (so a retry after a lost answer finds the first ticket); then apply the event. An
 * 'opened' event is done once the ticket exists. Never throws: an unexpected error is answered retryable.
 */
export async function deliverTo(ops: DeskOps, event: DeskEvent, ctx: DeliveryContext): Promise<DeliveryResult> {
  try {
    let id = ctx.remoteId;
    if (!id) {
      const found = await ops.find(event.ticket.correlationKey, ctx);
      if (!found.ok) return found.result;
      id = found.value;
      if (!id) {
        const created = await ops.create(event, ctx);
        if (!created.ok) return created.result;
        id = created.value;
        ctx.log.info({ remoteId: id, key: event.ticket.correlationKey }, 'ticket created in desk');
      }
    }
    if (event.kind !== 'opened') {
      const applied = await ops.apply(event, id, ctx);
      if (!applied.ok) return applied.result;
    }
    return ops.link ? { kind: 'ok', remoteId: id, remoteUrl: ops.link(id) } : { kind: 'ok', remoteId: id };
  } catch (error) {
    return { kind: 'retryable', reason: `unexpected error: ${(error as Error).message}` };
  }
}
