// The PostgreSQL connection's thread. The store's contract is synchronous (every method returns its result, a
// transaction is a synchronous closure), so the main thread cannot await the `pg` client: it posts each statement
// here and waits on a shared flag (Atomics.wait) while this thread runs it on its one connection, posts the
// answer and raises the flag (connection.ts is the other side). The thread serves every store of the process,
// each on its own connection (one per Store, like better-sqlite3's one handle: a transaction's statements all run
// on it, in order); a request names its connection.
//
// Plain JavaScript on purpose: a worker thread loads this file with Node's own loader, under tsx, vitest and the
// compiled collector alike.
//
// Requests (each with `id` and `conn`): { op: 'connect', url, settings } | { op: 'query', sql, params, array } |
// { op: 'exec', sql } | { op: 'close' }. A lost connection is re-opened by the next request (never inside a transaction: the main
// thread knows, and says so with `reconnect: false`); a failed connect throws an error whose code is
// 'WATCHPOST_UNAVAILABLE'.
import { workerData } from 'node:worker_threads';
import pg from 'pg';

// Integers as the SQLite backend answers them: int8 (BIGINT, count(*)) and numeric (sum of BIGINT) as numbers,
// booleans as 1/0, json as its text.
const types = {
  getTypeParser(oid, format) {
    if (oid === 20 || oid === 1700) return (v) => Number(v);
    if (oid === 16) return (v) => (v === 't' ? 1 : 0);
    if (oid === 114 || oid === 3802) return (v) => v;
    return pg.types.getTypeParser(oid, format);
  },
};

/** conn -> { url, settings, client, broken } */
const connections = new Map();

async function connect(c) {
  const next = new pg.Client({ connectionString: c.url, types, connectionTimeoutMillis: c.settings.connectTimeoutMs ?? 5000, keepAlive: true });
  next.on('error', () => (c.broken = true));
  next.on('end', () => (c.broken = true));
  try {
    await next.connect();
    for (const statement of c.settings.session ?? []) await next.query(statement);
  } catch (error) {
    await next.end().catch(() => undefined);
    throw unavailable(error);
  }
  c.client = next;
  c.broken = false;
}

function unavailable(error) {
  const wrapped = new Error(`PostgreSQL unavailable: ${error?.message ?? error}`);
  wrapped.code = 'WATCHPOST_UNAVAILABLE';
  return wrapped;
}

/** Errors that mean the connection is gone (not the statement's fault). */
function connectionLost(error, c) {
  const code = error?.code;
  if (typeof code === 'string' && (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03')) return true;
  return (
    c.broken ||
    ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT'].includes(code) ||
    /Connection terminated|not queryable|has been closed/i.test(String(error?.message))
  );
}

async function ready(c, reconnect) {
  if (c.client && !c.broken) return;
  if (c.client) {
    await c.client.end().catch(() => undefined);
    c.client = undefined;
    if (!reconnect) throw unavailable(new Error('the connection was lost inside a transaction'));
  }
  await connect(c);
}

async function run(c, request) {
  await ready(c, request.reconnect !== false);
  try {
    if (request.op === 'exec') {
      await c.client.query(request.sql);
      return null;
    }
    const result = await c.client.query({ text: request.sql, values: request.params, ...(request.array ? { rowMode: 'array' } : {}) });
    return { rows: result.rows, rowCount: result.rowCount ?? 0 };
  } catch (error) {
    if (connectionLost(error, c)) {
      c.broken = true;
      throw unavailable(error);
    }
    throw error;
  }
}

async function handle(request) {
  if (request.op === 'connect') {
    const c = { url: request.url, settings: request.settings ?? {}, client: undefined, broken: false };
    await connect(c);
    connections.set(request.conn, c);
    return null;
  }
  const c = connections.get(request.conn);
  if (!c) throw new Error(`no connection ${request.conn}`);
  if (request.op === 'close') {
    connections.delete(request.conn);
    if (c.client) await c.client.end().catch(() => undefined);
    return null;
  }
  return run(c, request);
}

const { port, flag } = workerData;
port.on('message', async (request) => {
  let reply;
  try {
    reply = { id: request.id, result: await handle(request) };
  } catch (error) {
    reply = { id: request.id, error: { message: error?.message ?? String(error), code: error?.code, constraint: error?.constraint, detail: error?.detail } };
  }
  port.postMessage(reply);
  Atomics.store(flag, 0, request.id);
  Atomics.notify(flag, 0);
});
