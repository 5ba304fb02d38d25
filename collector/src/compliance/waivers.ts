// Exceptions to the minimum standards (store/compliance-waivers.ts) as the engine applies them and as people write
// them (REST bodies, CLI flags). A waiver never changes a verdict: the standard's verdict is the fact, the waiver the
// agreement beside it, shown on the state of a fail or unknown it covers.
import { DurationError, parseDuration } from '../config/duration.js';
import { HoldInputError, parseIsoTime } from '../alerting/hold-input.js';
import { hostnameKey, isStoreError, StoreError, type StateWaiver, type Store, type Waiver } from '../store/index.js';

/** Which waiver covers (agent, standard), from the tenant's waivers in force. */
export type WaiverLookup = (agentId: string, standard: string) => StateWaiver | null;

/**
 * The lookup over `active` (the tenant's waivers in force now). A waiver of the host wins over one of the whole
 * tenant (the more specific agreement); among several of the same scope, the one that runs longest.
 */
export function waiverLookup(active: readonly Waiver[]): WaiverLookup {
  const best = new Map<string, Waiver>();
  for (const w of active) {
    const key = `${w.agentId ?? ''}\u0000${w.standard}`;
    const held = best.get(key);
    if (!held || w.expiresAt > held.expiresAt) best.set(key, w);
  }
  return (agentId, standard) => {
    const w = best.get(`${agentId}\u0000${standard}`) ?? best.get(`\u0000${standard}`);
    return w ? { id: w.id, reason: w.reason, by: w.createdBy, expiresAt: w.expiresAt } : null;
  };
}

/** A waiver as people ask for one: the host by its name (absent: the whole tenant), the expiry as text. */
export interface WaiverRequest {
  tenant: string;
  host?: string;
  standard: string;
  reason: string;
  /** A date (2027-03-31: through the end of that day, UTC), an ISO time with a zone, or a duration from now (90d). */
  expires: string;
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

/** `expires` as unix ms; throws HoldInputError('expires', ...) for text that is none of the three forms. */
export function parseExpiry(text: string, now: number): number {
  const t = text.trim();
  if (DATE_RE.test(t)) {
    const start = Date.parse(`${t}T00:00:00Z`);
    // Date.parse rolls 2027-02-30 over into March: only a date that reads back the same is one.
    if (!Number.isFinite(start) || new Date(start).toISOString().slice(0, 10) !== t) throw new HoldInputError('expires', `not a calendar date: "${text}"`);
    return start + DAY_MS;
  }
  if (t.includes('T')) return parseIsoTime('expires', t);
  try {
    const ms = parseDuration(t);
    if (ms <= 0) throw new HoldInputError('expires', 'must be longer than 0');
    return now + Math.round(ms);
  } catch (error) {
    if (!(error instanceof DurationError)) throw error;
    throw new HoldInputError('expires', `expected a date (2027-03-31), an ISO time with a zone, or a duration like 90d; got "${text}"`);
  }
}

/** Store field -> request field, for refusals that name what the person typed. */
const REQUEST_FIELDS: Record<string, string> = { expiresAt: 'expires', agentId: 'host', createdBy: 'by' };

/**
 * Creates the waiver `by` asked for. Throws HoldInputError naming the request field (host, standard, reason,
 * expires, by) for bad input, StoreError `tenant_unknown` for an unknown tenant.
 */
export function createWaiver(store: Store, req: WaiverRequest, by: string, now: number): Waiver {
  if (!store.tenants.get(req.tenant)) throw new StoreError('tenant_unknown', `unknown tenant: ${req.tenant}`);
  const expiresAt = parseExpiry(req.expires, now);
  let agentId: string | null = null;
  if (req.host !== undefined && req.host !== '') {
    const wanted = hostnameKey(req.host);
    const agent = store.agents.list(req.tenant).find((a) => a.revokedAt === null && hostnameKey(a.hostname) === wanted);
    if (!agent) throw new HoldInputError('host', `no live agent named "${req.host}" in tenant ${req.tenant}`);
    agentId = agent.id;
  }
  try {
    return store.waivers.create({ tenant: req.tenant, agentId, standard: req.standard, reason: req.reason, createdBy: by, expiresAt });
  } catch (error) {
    const field = isStoreError(error, 'invalid_argument') ? /^([\w.]+):/.exec(error.message)?.[1] : undefined;
    if (field === undefined) throw error;
    throw new HoldInputError(REQUEST_FIELDS[field] ?? field, (error as Error).message.slice(field.length + 1).trim());
  }
}
