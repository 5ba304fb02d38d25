// DeskEvents for connector tests: a ticket as the engine would snapshot it, and one event of each kind on it.
import type { DeskEvent, DeskEventKind, DeskTicket } from '../../../collector/src/desks/contract.js';

export const OPENED_AT = Date.parse('2026-11-23T09:05:00Z');

export function deskTicket(over: Partial<DeskTicket> = {}): DeskTicket {
  return {
    id: 42,
    correlationKey: 'watchpost-acme-42',
    tenant: 'acme',
    host: 'srv1',
    ruleId: 'disk_space',
    title: 'Disk space low on srv1',
    summary: '/data used_percent 96.5 (critical above 95)',
    status: 'open',
    priority: 'P2',
    urgency: 'medium',
    impact: 'high',
    openedAt: OPENED_AT,
    resolvedAt: null,
    reopenCount: 0,
    sla: [
      { target: 'respond', dueAt: OPENED_AT + 12 * 60_000, metAt: null },
      { target: 'resolve', dueAt: OPENED_AT + 8 * 3_600_000, metAt: null },
    ],
    ...over,
  };
}

let nextId = 1;
export function deskEvent(kind: DeskEventKind, ticket: Partial<DeskTicket> = {}, detail = `${kind} detail`): DeskEvent {
  const t = deskTicket(ticket);
  const resolved = kind === 'resolved' ? { status: 'resolved' as const, resolvedAt: OPENED_AT + 3_600_000 } : {};
  return { id: nextId++, kind, at: OPENED_AT + nextId * 1000, detail, ticket: { ...t, ...resolved, ...ticket } };
}

/** A DeliveryContext with a live signal and a log that records. */
export function deliveryContext(remoteId: string | null = null) {
  const lines: Array<{ level: string; obj: object; msg: string }> = [];
  return {
    remoteId,
    signal: new AbortController().signal,
    log: {
      info: (obj: object, msg: string) => lines.push({ level: 'info', obj, msg }),
      warn: (obj: object, msg: string) => lines.push({ level: 'warn', obj, msg }),
    },
    lines,
  };
}
