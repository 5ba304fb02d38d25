// The SQL connection every store module is written against: the subset of better-sqlite3's API the modules use,
// which better-sqlite3's Database satisfies as it is and postgres/connection.ts implements over the `pg` client.
//
// Contract (both backends):
//   - synchronous: a statement returns its rows; a transaction is a synchronous closure, committed when it
//     returns, rolled back when it throws; a transaction inside a transaction is a savepoint;
//   - placeholders are `?` (positional) or `@name` (one object argument), written once for both backends;
//   - integers come back as JS numbers (PostgreSQL's BIGINT and numeric included), booleans as 1/0, JSON as text;
//   - `lastInsertRowid` is SQLite's alone: a module that needs the new row's id says `RETURNING id` and reads it
//     with get(), which both backends answer;
//   - every transaction is a writer's: SQLite takes its one write lock (IMMEDIATE, or at the first write), and
//     PostgreSQL takes one cluster-wide transaction lock at BEGIN, so a read-then-write inside a transaction
//     sees no other collector's write in between, on either backend.

export type Dialect = 'sqlite' | 'postgres';

export interface RunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

export interface Statement {
  run(...params: unknown[]): RunResult;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  /** Makes get() and all() answer the first column's value instead of the row. */
  pluck(toggle?: boolean): this;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a transaction wraps closures of any signature
export type VariableArgFunction = (...params: any[]) => unknown;
type ArgumentTypes<F extends VariableArgFunction> = F extends (...args: infer A) => unknown ? A : never;

export interface TransactionFn<F extends VariableArgFunction> {
  (...params: ArgumentTypes<F>): ReturnType<F>;
  /** SQLite's BEGIN IMMEDIATE (the write lock before the first read); PostgreSQL's is the same as a plain call. */
  immediate(...params: ArgumentTypes<F>): ReturnType<F>;
}

export interface SqlDb {
  prepare(sql: string): Statement;
  /** Runs one or more statements without parameters (migrations). */
  exec(sql: string): unknown;
  transaction<F extends VariableArgFunction>(fn: F): TransactionFn<F>;
  close(): unknown;
}

/** The two-argument minimum and maximum: SQLite's scalar min()/max(), PostgreSQL's least()/greatest(). */
export function scalarMinMax(db: SqlDb): { least: string; greatest: string } {
  return dialectOf(db) === 'postgres' ? { least: 'least', greatest: 'greatest' } : { least: 'min', greatest: 'max' };
}

/** Which backend a connection talks to: better-sqlite3's Database has no `dialect`, ours says 'postgres'. */
export function dialectOf(db: SqlDb): Dialect {
  return (db as { dialect?: Dialect }).dialect === 'postgres' ? 'postgres' : 'sqlite';
}
