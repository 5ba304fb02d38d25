// A PostgreSQL connection with the store's synchronous contract (../sql.ts): each statement is posted to the
// process's PostgreSQL thread (worker.mjs), which runs it on this connection's `pg` client, and the main thread
// waits on a shared flag until the answer is there. The wait is a loopback or LAN round trip (about 0.1 ms on loopback,
// BENCHMARKS.md), the same kind of pause a SQLite write's fsync is; what it buys is one store contract for both
// backends, with transactions as synchronous closures nothing else can interleave with.
//
// Failure: a statement that finds PostgreSQL unreachable, or whose answer does not come within the call timeout,
// throws StoreError 'unavailable'; the next statement outside a transaction connects again (a thread that timed
// out is replaced, abandoning what it was doing: PostgreSQL rolls back a transaction whose connection goes).
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { StoreError } from '../errors.js';
import type { RunResult, SqlDb, Statement, TransactionFn, VariableArgFunction } from '../sql.js';
import { bindValues, translatePlaceholders, type Translated } from './placeholders.js';

const WORKER_URL = new URL('./worker.mjs', import.meta.url);

/** Every transaction takes this transaction-scoped advisory lock first: PostgreSQL's stand-in for SQLite's one writer. */
export const WRITE_LOCK_KEY = 0x57504f53; // 'WPOS'

export interface PostgresOptions {
  /** Longest wait for one statement's answer before 'unavailable' (default 30 s; statement_timeout is lower). */
  callTimeoutMs?: number;
  /** How long a connection attempt may take (default 5 s). */
  connectTimeoutMs?: number;
  /** Longest wait for another connection's lock, as SQLite's busy timeout (default 5 s). */
  lockTimeoutMs?: number;
  /** Longest time one statement may run (default 15 s). */
  statementTimeoutMs?: number;
  /** application_name, shown in pg_stat_activity. */
  applicationName?: string;
}

interface Reply {
  id: number;
  result?: { rows: unknown[]; rowCount: number } | null;
  error?: { message: string; code?: string; constraint?: string; detail?: string };
}

export class PgError extends Error {
  override readonly name = 'PgError';
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly constraint: string | undefined,
  ) {
    super(message);
  }
}

export interface PostgresDb extends SqlDb {
  readonly dialect: 'postgres';
  readonly inTransaction: boolean;
  /**
   * False while the database cannot be reached: after a statement failed for it, until a statement succeeds again
   * (asked while down, it tries `SELECT 1` at most once per PROBE_EVERY_MS). With `probe`, it asks the database now
   * whatever it knew (a health check).
   */
  reachable(probe?: boolean): boolean;
}

/** While the database is down, reachable() tries it at most this often. */
export const PROBE_EVERY_MS = 1_000;

export function openPostgres(url: string, options: PostgresOptions = {}): PostgresDb {
  const callTimeoutMs = options.callTimeoutMs ?? 30_000;
  const session = [
    `SET lock_timeout = ${Math.trunc(options.lockTimeoutMs ?? 5_000)}`,
    `SET statement_timeout = ${Math.trunc(options.statementTimeoutMs ?? 15_000)}`,
    `SET application_name = '${(options.applicationName ?? 'watchpost-collector').replace(/[^\w .:-]/g, '')}'`,
  ];
  const conn = ++connections;
  let down = false;
  let probedAt = 0;
  /** The shared thread's generation this connection was opened in; another one means it must connect again. */
  let openedIn = -1;
  let depth = 0;
  let closed = false;

  const call = (request: Record<string, unknown>): Reply['result'] => {
    if (closed) throw new TypeError('The database connection is not open');
    const thread = sharedThread();
    if (openedIn !== thread.generation) {
      if (depth > 0) throw new StoreError('unavailable', 'PostgreSQL unavailable: the connection was lost inside a transaction');
      const connected = thread.call({ conn, op: 'connect', url, settings: { session, connectTimeoutMs: options.connectTimeoutMs ?? 5_000 } }, callTimeoutMs);
      if (connected.error) {
        down = true;
        throw toError(connected.error);
      }
      openedIn = thread.generation;
    }
    let reply: Reply;
    try {
      reply = thread.call({ conn, reconnect: depth === 0, ...request }, callTimeoutMs);
    } catch (error) {
      down = true;
      throw error;
    }
    if (reply.error) {
      const error = toError(reply.error);
      if (reply.error.code === 'WATCHPOST_UNAVAILABLE') down = true;
      throw error;
    }
    down = false;
    return reply.result;
  };
  const query = (text: string, params: unknown[], array: boolean) => call({ op: 'query', sql: text, params, array })!;

  const prepare = (sql: string): Statement => {
    const translated: Translated = translatePlaceholders(sql);
    let plucked = false;
    const statement: Statement = {
      run: (...args): RunResult => {
        const result = query(translated.text, bindValues(translated, args), false);
        return {
          changes: result.rowCount,
          get lastInsertRowid(): number {
            throw new TypeError('lastInsertRowid is SQLite-only: use RETURNING id and get()');
          },
        };
      },
      get: (...args) => {
        const { rows } = query(translated.text, bindValues(translated, args), plucked);
        return plucked ? (rows[0] as unknown[] | undefined)?.[0] : rows[0];
      },
      all: (...args) => {
        const { rows } = query(translated.text, bindValues(translated, args), plucked);
        return plucked ? rows.map((r) => (r as unknown[])[0]) : rows;
      },
      pluck(toggle = true) {
        plucked = toggle;
        return this;
      },
    };
    return statement;
  };

  const transaction = <F extends VariableArgFunction>(fn: F): TransactionFn<F> => {
    const run = (...args: unknown[]): ReturnType<F> => {
      const savepoint = depth > 0 ? `watchpost_${depth}` : null;
      call({ op: 'exec', sql: savepoint ? `SAVEPOINT ${savepoint}` : 'BEGIN' });
      depth++;
      try {
        if (!savepoint) call({ op: 'query', sql: 'SELECT pg_advisory_xact_lock($1)', params: [WRITE_LOCK_KEY], array: true });
        const result = fn(...args) as ReturnType<F>;
        call({ op: 'exec', sql: savepoint ? `RELEASE SAVEPOINT ${savepoint}` : 'COMMIT' });
        return result;
      } catch (error) {
        rollback(savepoint);
        throw error;
      } finally {
        depth--;
      }
    };
    const rollback = (savepoint: string | null): void => {
      try {
        if (savepoint) call({ op: 'exec', sql: `ROLLBACK TO SAVEPOINT ${savepoint}; RELEASE SAVEPOINT ${savepoint}` });
        else call({ op: 'exec', sql: 'ROLLBACK', reconnect: false });
      } catch {
        // The connection is gone: PostgreSQL rolls the transaction back itself.
      }
    };
    return Object.assign(run, { immediate: run }) as TransactionFn<F>;
  };

  return {
    dialect: 'postgres',
    get inTransaction() {
      return depth > 0;
    },
    prepare,
    exec: (sql: string) => call({ op: 'exec', sql }),
    reachable: (probe = false) => {
      if ((!down && !probe) || depth > 0) return !down;
      const t = Date.now();
      if (!probe && t - probedAt < PROBE_EVERY_MS) return false;
      probedAt = t;
      try {
        call({ op: 'query', sql: 'SELECT 1', params: [], array: true });
      } catch {
        // still down
      }
      return !down;
    },
    transaction,
    close: () => {
      if (closed) return;
      closed = true;
      if (openedIn !== (thread?.generation ?? -2)) return;
      try {
        thread!.call({ conn, op: 'close' }, 5_000);
      } catch {
        // the thread was replaced: the connection went with it
      }
    },
  };
}

function toError(error: NonNullable<Reply['error']>): Error {
  if (error.code === 'WATCHPOST_UNAVAILABLE') return new StoreError('unavailable', error.message);
  // 55P03: lock_not_available (lock_timeout); 57014: query_canceled (statement_timeout)
  if (error.code === '55P03' || error.code === '57014') return new StoreError('unavailable', `PostgreSQL busy: ${error.message}`);
  return new PgError(error.message, error.code, error.constraint);
}

let connections = 0;
let thread: WorkerThread | undefined;
let generations = 0;

/**
 * The process's one PostgreSQL thread, started at first use (about 0.2 s: a Node environment and the `pg`
 * module). A thread that did not answer in time is replaced, and every connection opens again on the new one.
 */
function sharedThread(): WorkerThread {
  if (!thread || thread.dead) thread = new WorkerThread(++generations);
  return thread;
}

/** One worker thread and the port and flag the main thread waits on. */
class WorkerThread {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  private nextId = 0;
  dead = false;

  constructor(readonly generation: number) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(WORKER_URL, { workerData: { port: port2, flag: this.flag }, transferList: [port2], stdout: false, stderr: false });
    this.worker.unref();
    this.port.unref();
  }

  call(body: Record<string, unknown>, timeoutMs: number): Reply {
    const request = { ...body, id: ++this.nextId };
    this.port.postMessage(request);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // Read the flag before looking for the answer: an answer posted after the look changes the flag, so the
      // wait below returns at once instead of sleeping through it.
      const seen = Atomics.load(this.flag, 0);
      const message = receiveMessageOnPort(this.port);
      if (message) {
        const reply = message.message as Reply;
        if (reply.id === request.id) return reply;
        continue; // an answer to a call that timed out earlier
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        this.terminate();
        throw new StoreError('unavailable', `PostgreSQL did not answer within ${timeoutMs} ms`);
      }
      Atomics.wait(this.flag, 0, seen, Math.min(left, 1_000));
    }
  }

  terminate(): void {
    this.dead = true;
    void this.worker.terminate();
  }
}
