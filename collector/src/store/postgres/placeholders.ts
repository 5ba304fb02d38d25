// The store modules write their statements once, with SQLite's placeholders (`?`, `@name`); PostgreSQL numbers
// its parameters ($1, $2, ...). This rewrites a statement's placeholders and says how to order the arguments,
// leaving string literals, quoted identifiers and comments alone.

export interface Translated {
  text: string;
  /** Positional statements: how many `?` there were. */
  positional: number;
  /** Named statements: the names in $n order. */
  names: readonly string[];
}

const NAME_START = /[A-Za-z_]/;
const NAME_PART = /[A-Za-z0-9_]/;

export function translatePlaceholders(sql: string): Translated {
  let out = '';
  let positional = 0;
  const names: string[] = [];
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      const end = closing(sql, i, c);
      out += sql.slice(i, end);
      i = end - 1;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end === -1 ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop - 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      const stop = end === -1 ? sql.length : end + 2;
      out += sql.slice(i, stop);
      i = stop - 1;
    } else if (c === '?') {
      out += `$${++positional}`;
    } else if ((c === '@' || c === ':' || c === '$') && NAME_START.test(sql[i + 1] ?? '') && !(c === ':' && sql[i - 1] === ':')) {
      let j = i + 1;
      while (j < sql.length && NAME_PART.test(sql[j]!)) j++;
      const name = sql.slice(i + 1, j);
      let index = names.indexOf(name);
      if (index === -1) index = names.push(name) - 1;
      out += `$${index + 1}`;
      i = j - 1;
    } else {
      out += c;
    }
  }
  if (positional > 0 && names.length > 0) throw new Error(`a statement mixes ? and named parameters: ${sql}`);
  return { text: out, positional, names };
}

/** The index just past the literal or quoted identifier starting at `start` ('' and "" escape the quote). */
function closing(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return sql.length;
}

/** The values for $1..$n, from arguments given as better-sqlite3 takes them. */
export function bindValues(statement: Translated, args: readonly unknown[]): unknown[] {
  if (statement.names.length > 0) {
    const named = args[0];
    if (args.length !== 1 || typeof named !== 'object' || named === null || Array.isArray(named)) {
      throw new TypeError('a statement with named parameters takes one object of them');
    }
    return statement.names.map((name) => {
      if (!(name in named)) throw new RangeError(`Missing named parameter "${name}"`);
      return value((named as Record<string, unknown>)[name]);
    });
  }
  const flat = args.flatMap((a) => (Array.isArray(a) ? a : [a]));
  if (flat.length !== statement.positional) throw new RangeError(`Too ${flat.length < statement.positional ? 'few' : 'many'} parameter values were provided`);
  return flat.map(value);
}

/** better-sqlite3 binds what SQLite can store; the same values mean the same here. */
function value(v: unknown): unknown {
  if (v === undefined) throw new TypeError('undefined is not a valid SQL value (use null)');
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'boolean') throw new TypeError('SQLite3 can only bind numbers, strings, bigints, buffers, and null');
  // PostgreSQL text cannot hold U+0000 (SQLite's can): stored as U+FFFD rather than refusing the whole write.
  if (typeof v === 'string' && v.includes('\u0000')) return v.replaceAll('\u0000', '\ufffd');
  return v;
}
