// What every ticketing desk connector (ConnectWise, Autotask, HaloPSA, Jira Service Management, ServiceNow) shares:
// the order of one delivery (find the desk's ticket by its correlation key, create it only when none exists, then
// apply the event), the Step value each API call answers, and the check that a 2xx answer is what the API documents.
// A connector supplies its vendor's calls as DeskOps; this file decides which calls an event needs, so "search
// before create" and "every event works on a ticket the desk never saw" live in one place. Also here: the calls to
// one JSON API (apiCalls), the priority map of a desk's settings (priorityMap) and the connector type made of a
// schema and DeskOps (ticketingDesk).
import { Type, type ObjectOptions, type TObject, type TSchema } from '@sinclair/typebox';
import type { ConnectorDeps, ConnectorType, DeliveryContext, DeliveryResult, DeskCheck, DeskEvent, DeskTicket } from './contract.js';
import { excerpt, request, type DeliveryFailure, type HttpAnswer, type HttpOutcome, type RequestOptions } from './http.js';

/** One API call's outcome: its value, or the retryable/failed result to hand back to the dispatcher. */
export type Step<T> = { ok: true; value: T } | { ok: false; result: DeliveryFailure };

export function done(): Step<void>;
export function done<T>(value: T): Step<T>;
export function done<T>(value?: T): Step<T | undefined> {
  return { ok: true, value };
}

/** A call that will never work as sent (an answer without what the API documents, a stored id of the wrong form). */
export const refused = (reason: string): Step<never> => ({ ok: false, result: { kind: 'failed', reason } });

/** Runs the calls one after another and stops at the first that does not succeed. */
export async function inOrder(...calls: Array<() => Promise<Step<unknown>>>): Promise<Step<void>> {
  for (const call of calls) {
    const step = await call();
    if (!step.ok) return step;
  }
  return done();
}

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * request()'s outcome as a Step, with the 2xx answer checked: 'json' (the default) when the caller reads the body,
 * so it must be a JSON object or array; 'json-or-empty' for a write whose answer is not read (an echo, a 204).
 * Either way a 200 with an HTML page (a proxy's or SSO login) is failed: the desk never saw the request, and
 * retrying will not get past the login. `what` names the call in the reason ("ticket search").
 */
export function checkAnswer(outcome: HttpOutcome, what: string, secrets: readonly string[], expect: 'json' | 'json-or-empty' = 'json'): Step<HttpAnswer> {
  if (!outcome.ok) return outcome;
  const { json, text } = outcome.answer;
  if (expect === 'json' && (json === null || typeof json !== 'object')) {
    return refused(`${what}: expected a JSON answer, got ${text.trim() ? `"${excerpt(text, secrets)}"` : 'an empty body'}`);
  }
  if (expect === 'json-or-empty' && json === undefined && text.trim()) return refused(`${what}: expected JSON or no body, got "${excerpt(text, secrets)}"`);
  return done(outcome.answer);
}

/** One call to a desk's API: `what` names it in reasons; expect as checkAnswer's. */
export type ApiCall = (method: string, path: string, what: string, signal: AbortSignal, body?: unknown, expect?: 'json-or-empty') => Promise<Step<HttpAnswer>>;

/** Calls to one JSON API: each a request() to base + path with these headers, its answer checked by checkAnswer;
 *  `refine` as request()'s, for a desk whose statuses do not mean what HTTP says (a 409 that is transient). */
export function apiCalls(
  base: string,
  headers: Record<string, string>,
  secrets: readonly string[],
  deps: ConnectorDeps,
  refine?: RequestOptions['refine'],
): ApiCall {
  return async (method, path, what, signal, body, expect) =>
    checkAnswer(
      await request({ method, url: `${base}${path}`, headers, body, signal, fetch: deps.fetch, now: deps.now, secrets, ...(refine ? { refine } : {}) }),
      what,
      secrets,
      expect,
    );
}

/** The settings key that maps Watchpost's priorities to the desk's: one entry per priority, `entry(P)` its schema. */
export const priorityMap = <T extends TSchema>(entry: (priority: DeskTicket['priority']) => T, options: ObjectOptions) =>
  Type.Object({ P1: entry('P1'), P2: entry('P2'), P3: entry('P3'), P4: entry('P4') }, { additionalProperties: false, ...options });

/** JSON that lacks what the API documents (no id in a create's answer): failed, showing what came instead. */
export const lacking = (what: string, field: string, answer: HttpAnswer, secrets: readonly string[]): Step<never> =>
  refused(`${what}: the answer has no ${field}: ${excerpt(answer.text, secrets) || '(empty)'}`);

/** A desk's calls. Each is one request or a short sequence; a note may repeat on a retry after a lost answer. */
export interface DeskOps {
  /** The desk's id of the ticket that holds this correlation key, or null when none does. */
  find(key: string, ctx: DeliveryContext): Promise<Step<string | null>>;
  /** Creates the ticket from the event's snapshot (correlation key, priority or impact and urgency, an open
   *  status); answers its id. */
  create(event: DeskEvent, ctx: DeliveryContext): Promise<Step<string>>;
  /** Adds the event's text to the ticket (note, comment, work note): every kind without a call of its own. */
  note(id: string, event: DeskEvent, ctx: DeliveryContext): Promise<Step<unknown>>;
  /** escalated, deescalated: the priority (or impact and urgency) of event.ticket, and the event's text. */
  reprioritize(id: string, event: DeskEvent, ctx: DeliveryContext): Promise<Step<unknown>>;
  /** resolved: closes the ticket with the event's detail as the resolution. */
  resolve(id: string, event: DeskEvent, ctx: DeliveryContext): Promise<Step<unknown>>;
  /** reopened: back to an open status, and the event's text. */
  reopen(id: string, event: DeskEvent, ctx: DeliveryContext): Promise<Step<unknown>>;
  /** A link a person can open, when the desk has a stable one. */
  link?(id: string): string;
  /** Harmless authenticated calls for `desks test` (Connector.test): never creates or changes anything. */
  test?(signal: AbortSignal): Promise<DeskCheck[]>;
}

/**
 * The delivery contract for ticketing desks. With no remote id yet, search by the correlation key and create only
 * when nothing is found (a retry after a lost answer finds the first ticket); then apply the event. Rules:
 * 1. Work the create already did is not repeated: a ticket created for 'escalated' starts at the new priority and
 *    one created for 'reopened' starts open, so only the event's text is added; an 'opened' event is done.
 * 2. The id is returned whenever this delivery learned it, on a retryable or failed result too (contract.ts), so
 *    the retry does not depend on the search finding a ticket created moments ago.
 * 3. Never throws: an unexpected error is answered retryable.
 */
export async function deliverTo(ops: DeskOps, event: DeskEvent, ctx: DeliveryContext): Promise<DeliveryResult> {
  let learned: { remoteId?: string; remoteUrl?: string } = {};
  try {
    let id = ctx.remoteId;
    let created = false;
    if (!id) {
      const found = await ops.find(event.ticket.correlationKey, ctx);
      if (!found.ok) return found.result;
      id = found.value;
      if (!id) {
        const made = await ops.create(event, ctx);
        if (!made.ok) return made.result;
        [id, created] = [made.value, true];
        ctx.log.info({ remoteId: id, key: event.ticket.correlationKey }, 'ticket created in desk');
      }
      learned = remote(ops, id);
    }
    const applied = await apply(ops, id, event, created, ctx);
    return applied.ok ? { kind: 'ok', ...remote(ops, id) } : { ...applied.result, ...learned };
  } catch (error) {
    return { kind: 'retryable', reason: `unexpected error: ${(error as Error).message}`, ...learned };
  }
}

const remote = (ops: DeskOps, id: string): { remoteId: string; remoteUrl?: string } =>
  ops.link ? { remoteId: id, remoteUrl: ops.link(id) } : { remoteId: id };

async function apply(ops: DeskOps, id: string, event: DeskEvent, created: boolean, ctx: DeliveryContext): Promise<Step<unknown>> {
  switch (event.kind) {
    case 'opened':
      return done();
    case 'resolved':
      return ops.resolve(id, event, ctx);
    case 'escalated':
    case 'deescalated':
      return created ? ops.note(id, event, ctx) : ops.reprioritize(id, event, ctx);
    case 'reopened':
      return created ? ops.note(id, event, ctx) : ops.reopen(id, event, ctx);
    default:
      return ops.note(id, event, ctx);
  }
}

/** A ticketing desk's connector type: its settings schema, and its DeskOps (made once per desk) run by deliverTo. */
export function ticketingDesk<S>(schema: TObject, ops: (settings: S, deps: ConnectorDeps) => DeskOps): ConnectorType<S> {
  return {
    schema,
    create(settings, deps) {
      const desk = ops(settings, deps);
      return { deliver: (event, ctx) => deliverTo(desk, event, ctx), ...(desk.test ? { test: (signal: AbortSignal) => desk.test!(signal) } : {}) };
    },
  };
}
