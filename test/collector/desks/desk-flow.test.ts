// The find-or-create-then-apply flow every ticketing desk connector runs (desks/desk-flow.ts), on its own: which
// of a desk's calls each event needs when the desk's id is known, found by the key, or made by this delivery; the
// id handed back on a result that is not ok; never a throw. The calls are the flow's inputs here (they record what
// they were asked); each vendor's real calls are tested against its fake in <vendor>.test.ts.
import { describe, expect, it } from 'vitest';
import type { DeskEventKind } from '../../../collector/src/desks/contract.js';
import { checkAnswer, deliverTo, done, inOrder, refused, type DeskOps, type Step } from '../../../collector/src/desks/desk-flow.js';
import type { HttpOutcome } from '../../../collector/src/desks/http.js';
import { deliveryContext, deskEvent } from './events.js';

type Op = 'find' | 'create' | 'note' | 'reprioritize' | 'resolve' | 'reopen';
const retry: Step<never> = { ok: false, result: { kind: 'retryable', reason: 'HTTP 503' } };

/** A desk whose calls record themselves; `found` is what find answers, `answers` overrides any call's answer. */
function desk(found: string | null, answers: Partial<Record<Op, () => Step<unknown>>> = {}, link = true) {
  const calls: Op[] = [];
  const call =
    <T>(op: Op, value: T) =>
    async (): Promise<Step<T>> => {
      calls.push(op);
      return (answers[op]?.() as Step<T> | undefined) ?? done(value);
    };
  const ops: DeskOps = {
    find: call('find', found),
    create: call('create', 'T-9'),
    note: call('note', undefined),
    reprioritize: call('reprioritize', undefined),
    resolve: call('resolve', undefined),
    reopen: call('reopen', undefined),
    ...(link ? { link: (id: string) => `https://desk.example/t/${id}` } : {}),
  };
  return { ops, calls };
}

const NOTE_KINDS: DeskEventKind[] = ['updated', 'note', 'acknowledged', 'plan', 'sla_approaching', 'sla_breached'];

describe('deliverTo', () => {
  const table: Array<[DeskEventKind, Op[], Op[], Op[]]> = [
    // kind, calls with the id known, with the id found by the key, with the ticket created by this delivery
    ['opened', [], ['find'], ['find', 'create']],
    ['resolved', ['resolve'], ['find', 'resolve'], ['find', 'create', 'resolve']],
    ['escalated', ['reprioritize'], ['find', 'reprioritize'], ['find', 'create', 'note']],
    ['deescalated', ['reprioritize'], ['find', 'reprioritize'], ['find', 'create', 'note']],
    ['reopened', ['reopen'], ['find', 'reopen'], ['find', 'create', 'note']],
    ...NOTE_KINDS.map((k): [DeskEventKind, Op[], Op[], Op[]] => [k, ['note'], ['find', 'note'], ['find', 'create', 'note']]),
  ];
  it.each(table)('%s: the calls it needs, and ok with the id and link', async (kind, known, found, created) => {
    for (const [remoteId, foundId, expected, id] of [
      ['T-1', null, known, 'T-1'],
      [null, 'T-5', found, 'T-5'],
      [null, null, created, 'T-9'],
    ] as const) {
      const d = desk(foundId);
      const result = await deliverTo(d.ops, deskEvent(kind), deliveryContext(remoteId));
      expect(d.calls).toEqual(expected);
      expect(result).toEqual({ kind: 'ok', remoteId: id, remoteUrl: `https://desk.example/t/${id}` });
    }
  });

  it('without a link, ok carries the id alone', async () => {
    expect(await deliverTo(desk(null, {}, false).ops, deskEvent('opened'), deliveryContext())).toEqual({ kind: 'ok', remoteId: 'T-9' });
  });

  it('a step that fails after the create hands back the new id with the retryable or failed result', async () => {
    const retried = await deliverTo(desk(null, { resolve: () => retry }).ops, deskEvent('resolved'), deliveryContext());
    expect(retried).toEqual({ kind: 'retryable', reason: 'HTTP 503', remoteId: 'T-9', remoteUrl: 'https://desk.example/t/T-9' });
    const refusedResult = await deliverTo(desk(null, { note: () => refused('HTTP 400: no') }).ops, deskEvent('note'), deliveryContext());
    expect(refusedResult).toEqual({ kind: 'failed', reason: 'HTTP 400: no', remoteId: 'T-9', remoteUrl: 'https://desk.example/t/T-9' });
  });

  it('an id found by the key goes back too; an id the dispatcher gave is not repeated', async () => {
    expect(await deliverTo(desk('T-5', { note: () => retry }).ops, deskEvent('note'), deliveryContext())).toMatchObject({ kind: 'retryable', remoteId: 'T-5' });
    expect(await deliverTo(desk(null, { note: () => retry }).ops, deskEvent('note'), deliveryContext('T-1'))).toEqual({
      kind: 'retryable',
      reason: 'HTTP 503',
    });
  });

  it('a search or create that fails creates nothing and knows no id', async () => {
    const d = desk(null, { find: () => retry });
    expect(await deliverTo(d.ops, deskEvent('note'), deliveryContext())).toEqual({ kind: 'retryable', reason: 'HTTP 503' });
    expect(d.calls).toEqual(['find']);
    const c = desk(null, { create: () => refused('HTTP 400: bad queue') });
    expect(await deliverTo(c.ops, deskEvent('note'), deliveryContext())).toEqual({ kind: 'failed', reason: 'HTTP 400: bad queue' });
    expect(c.calls).toEqual(['find', 'create']);
  });

  it('never throws: a call that throws is answered retryable, with the id when it was made', async () => {
    const boom = () => {
      throw new Error('boom');
    };
    expect(await deliverTo(desk(null, { find: boom }).ops, deskEvent('note'), deliveryContext())).toEqual({
      kind: 'retryable',
      reason: 'unexpected error: boom',
    });
    expect(await deliverTo(desk(null, { note: boom }).ops, deskEvent('note'), deliveryContext())).toMatchObject({
      kind: 'retryable',
      reason: 'unexpected error: boom',
      remoteId: 'T-9',
    });
  });

  it('logs each ticket it creates, with the key', async () => {
    const ctx = deliveryContext();
    await deliverTo(desk(null).ops, deskEvent('opened'), ctx);
    await deliverTo(desk('T-5').ops, deskEvent('opened'), ctx);
    expect(ctx.lines).toEqual([{ level: 'info', obj: { remoteId: 'T-9', key: 'watchpost-acme-42' }, msg: 'ticket created in desk' }]);
  });
});

describe('inOrder', () => {
  it('runs the calls in order and stops at the first that does not succeed', async () => {
    const ran: number[] = [];
    const step = (n: number, s: Step<unknown>) => async () => (ran.push(n), s);
    expect(await inOrder(step(1, done()), step(2, retry), step(3, done()))).toEqual(retry);
    expect(ran).toEqual([1, 2]);
    expect(await inOrder(step(4, done(7)))).toEqual(done());
  });
});

describe('checkAnswer', () => {
  const answered = (text: string, json?: unknown): HttpOutcome => ({ ok: true, answer: { status: 200, headers: new Headers(), text, json } });
  const table: Array<[string, HttpOutcome, 'json' | 'json-or-empty', string | null]> = [
    ['JSON object', answered('{"id":1}', { id: 1 }), 'json', null],
    ['JSON array', answered('[]', []), 'json', null],
    ['HTML on a 200', answered('<html>Sign in as s3cr3t-value</html>'), 'json', 'search: expected a JSON answer, got "<html>Sign in as [redacted]</html>"'],
    ['an empty body', answered(''), 'json', 'search: expected a JSON answer, got an empty body'],
    ['a JSON string', answered('"ok"', 'ok'), 'json', 'search: expected a JSON answer, got ""ok""'],
    ['no body to a write', answered(''), 'json-or-empty', null],
    ['an echo to a write', answered('{"id":1}', { id: 1 }), 'json-or-empty', null],
    ['HTML to a write', answered('<html>SSO</html>'), 'json-or-empty', 'search: expected JSON or no body, got "<html>SSO</html>"'],
  ];
  it.each(table)('%s', (_name, outcome, expect_, reason) => {
    const step = checkAnswer(outcome, 'search', ['s3cr3t-value'], expect_);
    expect(step.ok ? null : step.result.reason).toBe(reason);
    if (!step.ok) expect(step.result.kind).toBe('failed');
  });

  it('passes a retryable or failed outcome through unchanged', () => {
    const outcome: HttpOutcome = { ok: false, result: { kind: 'retryable', reason: 'HTTP 429', retryAfterMs: 5000 } };
    expect(checkAnswer(outcome, 'search', [])).toEqual(outcome);
  });
});
