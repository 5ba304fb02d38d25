// Credentials the ticketing desk connectors send: Basic auth (ConnectWise, Jira, ServiceNow) with every form of the
// secret a reason must never show, and OAuth2 client-credentials tokens (HaloPSA) cached on the injected clock.
import { Buffer } from 'node:buffer';
import type { ConnectorDeps } from './contract.js';
import { request } from './http.js';
import { checkAnswer, done, isRecord, refused, type Step } from './desk-flow.js';

/** Refresh a token this long before the desk said it expires (clock skew, slow requests). */
export const TOKEN_EARLY_REFRESH_MS = 60_000;
/** Lifetime assumed when a token answer has no expires_in. */
export const DEFAULT_TOKEN_LIFETIME_S = 3600;

/** Authorization header value for Basic auth, and the values to redact: the secret and the base64 that holds it. */
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
    const answer = checkAnswer(outcome, 'token request', this.secrets());
    if (!answer.ok) return answer;
    const body = answer.value.json;
    if (!isRecord(body) || typeof body.access_token !== 'string' || !body.access_token) return refused('token request: the answer has no access_token');
    const lifetimeS = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : DEFAULT_TOKEN_LIFETIME_S;
    this.token = body.access_token;
    this.expiresAt = this.deps.now() + Math.max(0, lifetimeS * 1000 - TOKEN_EARLY_REFRESH_MS);
    return done(this.token);
  }
}
