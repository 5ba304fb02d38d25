// Several collectors on one PostgreSQL database, for real: the store's API is synchronous, so concurrency takes
// processes. Each child (concurrency-worker.ts) opens its own store on the test's database and, once every child
// is connected, all start at once: opening one ticket, redeeming one token, draining both outboxes; and a child
// killed with SIGKILL mid-delivery leaves rows that become claimable when their lease lapses. PostgreSQL only (the
// store-postgres project); SQLite has one writer per file, and the shared store suite covers it.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RedeemResult, Store } from '../../../collector/src/store/index.js';
import { newTicket } from '../../helpers/collector-tickets.js';
import { deskTicket } from '../desks/events.js';
import type { Claimed } from './concurrency-worker.js';
import { open, tempDbPath } from './helpers.js';

const WORKER = fileURLToPath(new URL('./concurrency-worker.ts', import.meta.url));

/** A child collector and its answers in arrival order; one that exits fails every wait. */
class Child {
  readonly process: ChildProcess;
  private readonly answers: unknown[] = [];
  private waiting: { resolve: (m: unknown) => void; reject: (e: Error) => void } | undefined;
  private exited: Error | undefined;

  constructor() {
    this.process = fork(WORKER, [], { execArgv: ['--import', 'tsx'] });
    this.process.on('message', (m) => {
      if (this.waiting) this.waiting.resolve(m);
      else this.answers.push(m);
      this.waiting = undefined;
    });
    this.process.on('exit', (code, signal) => {
      this.exited = new Error(`a child exited with ${code ?? signal}`);
      this.waiting?.reject(this.exited);
      this.waiting = undefined;
    });
  }

  next(): Promise<unknown> {
    if (this.answers.length > 0) return Promise.resolve(this.answers.shift());
    if (this.exited) return Promise.reject(this.exited);
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  send(message: object): void {
    this.process.send(message);
  }
}

/** Each child opens its store on `url`; once all have, every one starts its job at once. Answers their results. */
async function race<T>(children: Child[], url: string, jobs: Array<{ mode: string; args?: string[] }>): Promise<T[]> {
  for (const c of children) c.send({ url });
  expect(await Promise.all(children.map((c) => c.next()))).toEqual(children.map(() => 'ready'));
  jobs.forEach((job, i) => children[i]!.send(job));
  const settled = (await Promise.all(children.map((c) => c.next()))) as Array<{ result?: T; error?: string }>;
  for (const s of settled) if (s.error !== undefined) throw new Error(`a child failed: ${s.error}`);
  return settled.map((s) => s.result as T);
}

function storeWithTickets(n: number): { url: string; store: Store; ids: number[] } {
  const url = tempDbPath();
  const store = open(url);
  store.tenants.add({ id: 'acme', name: 'Acme' });
  const ids = Array.from({ length: n }, (_, i) => store.tickets.open(newTicket({ host: `h${i}`, ruleId: 'disk_space' }), 1000, 'opened').id);
  return { url, store, ids };
}

const KINDS = ['opened', 'note', 'escalated', 'note', 'resolved'] as const;

describe('several collectors on one PostgreSQL store, at once', () => {
  let pool: Child[] = [];
  beforeAll(async () => {
    pool = Array.from({ length: 8 }, () => new Child());
    await Promise.all(pool.map((c) => c.next())); // 'started'
  });
  afterAll(() => {
    for (const c of pool) c.process.kill('SIGKILL');
  });
  const eight = (job: { mode: string; args?: string[] } | ((i: number) => { mode: string; args?: string[] })) =>
    pool.map((_, i) => (typeof job === 'function' ? job(i) : job));

  it('of 8 opening the same ticket, one opens it and the 7 others get conflict', async () => {
    const { url, store } = storeWithTickets(0);
    const results = await race<{ ok: boolean; id?: number; code?: string }>(pool, url, eight({ mode: 'open-ticket' }));
    const opened = results.filter((r) => r.ok);
    expect(opened).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toEqual(Array(7).fill({ ok: false, code: 'conflict' }));
    expect(store.tickets.list().map((t) => t.id)).toEqual([opened[0]!.id]);
    expect(store.tickets.findOpen('acme', 'ag_srv1', 'disk_space')?.id).toBe(opened[0]!.id);
  });

  it('of 8 redeeming a 3-use token, exactly 3 succeed', async () => {
    const { url, store } = storeWithTickets(0);
    const { token } = store.tokens.create({ tenant: 'acme', expiresAt: Date.now() + 3_600_000, uses: 3 });
    const results = await race<RedeemResult>(
      pool,
      url,
      eight((i) => ({ mode: 'redeem', args: [token, `ws-${i}`] })),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(3);
    expect(results.filter((r) => !r.ok)).toEqual(Array(5).fill({ ok: false, reason: 'used_up' }));
    expect(store.tokens.list()[0]?.usesLeft).toBe(0);
  });

  it('4 draining one desk’s outbox: every row claimed once, one event of a ticket in flight at a time, in order', async () => {
    const { url, store, ids } = storeWithTickets(30);
    const rows = new Map<number, number>(); // row id -> ticket id
    for (const kind of KINDS) {
      for (const id of ids) rows.set(store.deskOutbox.enqueue('hook', { kind, at: 1000, detail: kind, ticket: deskTicket({ id }) }), id);
    }
    const spare = store.deskOutbox.enqueue('spare', { kind: 'opened', at: 1000, detail: 'opened', ticket: deskTicket({ id: ids[0]! }) });

    const perChild = await race<Claimed[]>(
      pool.slice(0, 4),
      url,
      ['a', 'b', 'c', 'd'].map((name) => ({ mode: 'claim-desk', args: ['hook', name] })),
    );
    const claims = perChild.flat();

    // Each row claimed exactly once, and its outcome recorded by its claim.
    expect(claims.map((c) => c.id).sort((x, y) => x - y)).toEqual([...rows.keys()]);
    expect(claims.every((c) => c.recorded && rows.get(c.id) === c.ticketId)).toBe(true);
    // Per ticket, each row was claimed only after the previous one's outcome was on its way to the store: never two
    // in flight, and claimed (so delivered) in the order they were queued.
    for (const id of ids) {
      const ofTicket = claims.filter((c) => c.ticketId === id).sort((x, y) => x.claimedAt - y.claimedAt);
      expect(ofTicket.map((c) => c.id)).toEqual([...rows].filter(([, t]) => t === id).map(([row]) => row));
      for (let i = 1; i < ofTicket.length; i++) expect(ofTicket[i]!.claimedAt).toBeGreaterThan(ofTicket[i - 1]!.settleAt);
    }
    // The children really overlapped: more than one delivered rows.
    expect(perChild.filter((c) => c.length > 0).length).toBeGreaterThan(1);
    expect(store.deskOutbox.counts()).toEqual([
      { desk: 'hook', state: 'delivered', n: rows.size },
      { desk: 'spare', state: 'pending', n: 1 },
    ]);
    expect(store.deskOutbox.get(spare)).toMatchObject({ state: 'pending', claimedBy: null });
  });

  it('4 draining the influx outbox: every row shipped once, and nothing is left', async () => {
    const { url, store } = storeWithTickets(0);
    const lines = Array.from({ length: 1000 }, (_, i) => `alerts,host=h${i % 50} v=${i} ${i}`);
    store.influxOutbox.append(lines);
    const first = store.influxOutbox.peek(1)[0]!.id;

    const perChild = await race<number[][]>(
      pool.slice(0, 4),
      url,
      ['a', 'b', 'c', 'd'].map((name) => ({ mode: 'claim-influx', args: [name] })),
    );
    const shipped = perChild.flat(2).sort((x, y) => x - y);
    expect(shipped).toEqual(Array.from({ length: lines.length }, (_, i) => first + i));
    expect(perChild.filter((batches) => batches.length > 0).length).toBeGreaterThan(1);
    for (const batch of perChild.flat()) expect(batch).toEqual([...batch].sort((x, y) => x - y));
    expect(store.influxOutbox.size()).toBe(0);
  });

  it('a collector SIGKILLed mid-delivery leaves its rows claimed until the lease lapses, then another takes them', async () => {
    const { url, store, ids } = storeWithTickets(3);
    const desk = ids.map((id) => store.deskOutbox.enqueue('hook', { kind: 'opened', at: 1000, detail: 'opened', ticket: deskTicket({ id }) }));
    const behind = store.deskOutbox.enqueue('hook', { kind: 'resolved', at: 1001, detail: 'resolved', ticket: deskTicket({ id: ids[0]! }) });
    store.influxOutbox.append(Array.from({ length: 15 }, (_, i) => `alerts v=${i} ${i}`));

    const doomed = pool.pop()!;
    const [held] = await race<{ desk: number[]; influx: number[]; leaseUntil: number }>([doomed], url, [{ mode: 'claim-and-hang', args: ['hook', 'doomed'] }]);
    doomed.process.kill('SIGKILL');
    await once(doomed.process, 'exit');
    expect(held!.desk).toEqual(desk);
    expect(held!.influx).toHaveLength(10);

    // Before the lease lapses nothing of it is claimable, nor the event queued behind its claimed head.
    const now = Date.now();
    expect(store.deskOutbox.claim('hook', now, 10, 'survivor/1', now + 60_000)).toEqual([]);
    const rest = store.influxOutbox.claim(100, 'survivor/2', now, now + 60_000);
    expect(rest.map((r) => r.id)).toEqual(
      store.influxOutbox
        .peek(100)
        .slice(10)
        .map((r) => r.id),
    );
    expect(store.influxOutbox.removeClaimed(rest, 'survivor/2')).toBe(5);
    // At its end the rows are claimable again, by the survivor's claim alone.
    const later = held!.leaseUntil;
    const retaken = store.deskOutbox.claim('hook', later, 10, 'survivor/3', later + 60_000);
    expect(retaken.map((r) => [r.id, r.claimedBy, r.attempts])).toEqual(desk.map((id) => [id, 'survivor/3', 0]));
    expect(store.deskOutbox.delivered(desk[0]!, later, 'doomed/1')).toBe(false);
    expect(store.deskOutbox.delivered(desk[0]!, later, 'survivor/3')).toBe(true);
    expect(store.deskOutbox.claim('hook', later, 10, 'survivor/4', later + 60_000).map((r) => r.id)).toEqual([behind]);
    const batch = store.influxOutbox.claim(100, 'survivor/5', later, later + 60_000);
    expect(batch.map((r) => r.id)).toEqual(held!.influx);
    expect(store.influxOutbox.removeClaimed(batch, 'survivor/5')).toBe(10);
  });
});
