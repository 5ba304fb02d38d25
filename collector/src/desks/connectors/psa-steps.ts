// What the PSA connectors (ConnectWise, Autotask) share: the flow every event follows (find the desk's ticket by
// its correlation key, create it only when none exists, then apply the event) and the text a ticket carries. Each
// connector supplies its vendor's API calls as PsaSteps; this file decides which calls an event needs, so the
// rule "search before create, every event works on a ticket the desk never saw" lives in one place.
import type { DeliveryContext, DeliveryResult, DeskEvent, DeskEventKind, DeskTicket } from '../contract.js';
import { excerpt, request, type DeliveryFailure, type HttpAnswer, type RequestOptions } from '../http.js';

/** One API call's outcome: its value, or the retryable/failed result to hand back to the dispatcher. */
export type Step<T> = { ok: true; value: T } | { ok: false; result: DeliveryFailure };
export const done: Step<void> = { ok: true, value: undefined };

/** A vendor's calls. Each is one idempotent-as-possible request (a note may repeat after a lost answer). */
export interface PsaSteps {
  /** The desk's id of the ticket that holds this correlation key, or null when none does. */
  find(key: string, ctx: DeliveryContext): Promise<Step<string | null>>;
  /** Creates the ticket (with the key stored in it) at the ticket's current priority; answers its id. */
  create(event: DeskEvent, ctx: DeliveryContext): Promise<Step<string>>;
  note(id: string, event: DeskEvent, ctx: DeliveryContext): Promise<Step<void>>;
  setPriority(id: string, ticket: DeskTicket, ctx: DeliveryContext): Promise<Step<void>>;
  /** Closes with the event's detail as the resolution. */
  resolve(id: string, event: DeskEvent, ctx: DeliveryContext): Promise<Step<void>>;
  /** Back to the configured open status (the note is added by the flow). */
  reopen(id: string, event: DeskEvent, ctx: DeliveryContext): Promise<Step<void>>;
}

/**
 * Find-or-create, then apply. ok carries the remote id whenever it is known; a failure after a create returns
 * without it, and the retry finds the ticket by its key. Work already done by the create is not repeated: a ticket
 * created for an 'escalated' event starts at the new priority, one created for 'reopened' starts open.
 */
export async function deliverPsa(steps: PsaSteps, event: DeskEvent, ctx: DeliveryContext): Promise<DeliveryResult> {
  let id = ctx.remoteId;
  let created = false;
  if (id === null) {
    const found = await steps.find(event.ticket.correlationKey, ctx);
    if (!found.ok) return found.result;
    if (found.value !== null) id = found.value;
    else {
      const made = await steps.create(event, ctx);
      if (!made.ok) return made.result;
      [id, created] = [made.value, true];
    }
  }
  const applied = await applyEvent(steps, id, event, created, ctx);
  return applied.ok ? { kind: 'ok', remoteId: id } : applied.result;
}

async function applyEvent(steps: PsaSteps, id: string, event: DeskEvent, created: boolean, ctx: DeliveryContext): Promise<Step<void>> {
  switch (event.kind) {
    case 'opened':
      return done;
    case 'resolved':
      return steps.resolve(id, event, ctx);
    case 'escalated':
    case 'deescalated': {
      const changed = created ? done : await steps.setPriority(id, event.ticket, ctx);
      return changed.ok ? steps.note(id, event, ctx) : changed;
    }
    case 'reopened': {
      const reopened = created ? done : await steps.reopen(id, event, ctx);
      return reopened.ok ? steps.note(id, event, ctx) : reopened;
    }
    default:
      return steps.note(id, event, ctx);
  }
}

/** request() as a Step; with `json`, a 2xx answer that is not JSON (an HTML error page, a proxy's login form) fails. */
export async function call(options: RequestOptions, json: boolean): Promise<Step<HttpAnswer>> {
  const outcome = await request(options);
  if (!outcome.ok) return { ok: false, result: outcome.result };
  if (json && outcome.answer.json === undefined) return garbage(options, outcome.answer.text);
  return { ok: true, value: outcome.answer };
}

/** A 2xx answer that is not what the API documents: it will not get better by retrying. */
export function garbage(options: Pick<RequestOptions, 'method' | 'url' | 'secrets'>, text: string): { ok: false; result: DeliveryFailure } {
  const path = new URL(options.url).pathname;
  return { ok: false, result: { kind: 'failed', reason: `${options.method} ${path}: unexpected answer: ${excerpt(text, options.secrets) || '(empty)'}` } };
}

export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

const LABELS: Record<DeskEventKind, string> = {
  opened: 'Opened',
  updated: 'Updated',
  escalated: 'Escalated',
  deescalated: 'De-escalated',
  reopened: 'Reopened',
  note: 'Note',
  acknowledged: 'Acknowledged',
  plan: 'Plan',
  resolved: 'Resolved',
  sla_approaching: 'SLA approaching',
  sla_breached: 'SLA breached',
};

export const noteTitle = (event: DeskEvent): string => `Watchpost: ${LABELS[event.kind]}`;
export const noteText = (event: DeskEvent): string => `${LABELS[event.kind]}: ${event.detail}`;

/** The ticket's body: what a technician needs first, and the key that ties the desk's ticket to Watchpost's. */
export function ticketDescription(t: DeskTicket): string {
  return [
    t.summary,
    '',
    `Host: ${t.host}`,
    `Rule: ${t.ruleId}`,
    `Tenant: ${t.tenant}`,
    `Priority: ${t.priority} (urgency ${t.urgency}, impact ${t.impact})`,
    `Opened: ${new Date(t.openedAt).toISOString()}`,
    `Watchpost ticket: ${t.id} (${t.correlationKey})`,
  ].join('\n');
}
