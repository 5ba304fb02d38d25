// The one way a schema error reads, for every file the collector loads (the config, the rules, desks, probe policy,
// lifecycle, release manifest and rollouts files): `rules[3].for: expected a duration like 30s, 5m, 7d; got
// "soon"`. The path is the document's own (keys joined with '.', list entries in brackets) and the message says
// in words what was expected, instead of TypeBox's JSON pointer and raw pattern.
//
// A schema may shape its message with one of two options (TypeBox keeps unknown options in the schema):
// `duration: true` on a duration string (see DURATION), and `expected`: what a value must be, in words ("a release
// version like 1.2.3"), where TypeBox would quote a pattern. Without either, TypeBox's own message is used.
import type { TSchema } from '@sinclair/typebox';
import { Value, ValueErrorType, type ValueError } from '@sinclair/typebox/value';

/** Schema options of a duration string: its errors read "expected a duration like 30s, 5m, 7d". */
export const DURATION = { duration: true } as const;

/** `rules[3]` + `/levels/0/above` -> `rules[3].levels[0].above`; '' + '' -> `(root)`. */
export function schemaPath(prefix: string, pointer: string): string {
  let out = prefix;
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(segment) ? `[${segment}]` : out === '' ? segment : `.${segment}`;
  }
  return out || '(root)';
}

export interface SchemaErrorOptions {
  /** Where the value sits in its document (`default_desks[0]`); default: it is the document. */
  at?: string;
  /** Leave the offending value out of the message: for documents that hold secrets (the config, the desks file). */
  hideValue?: boolean;
}

export interface SchemaProblem {
  /** `rules[3].for` */
  path: string;
  /** `expected a duration like 30s, 5m, 7d; got "soon"` */
  message: string;
}

/** The first schema error as its path and what is wrong there, or undefined when `value` fits. */
export function schemaProblem(schema: TSchema, value: unknown, options: SchemaErrorOptions = {}): SchemaProblem | undefined {
  const e = Value.Errors(schema, value).First();
  return e ? { path: schemaPath(options.at ?? '', e.path), message: describe(e, options.hideValue === true) } : undefined;
}

/** The first schema error as `path: what`, or undefined when `value` fits. */
export function firstSchemaError(schema: TSchema, value: unknown, options: SchemaErrorOptions = {}): string | undefined {
  const problem = schemaProblem(schema, value, options);
  return problem && `${problem.path}: ${problem.message}`;
}

const literals = (schema: TSchema): unknown[] | undefined => {
  const anyOf = (schema as { anyOf?: Record<string, unknown>[] }).anyOf;
  return anyOf && anyOf.every((s) => 'const' in s) ? anyOf.map((s) => s.const) : undefined;
};

const isDuration = (schema: TSchema): boolean => schema.duration === true;
const expectedWords = (schema: TSchema): string | undefined => (typeof schema.expected === 'string' ? schema.expected : undefined);

/** "a duration or a mapping (server, workstation)": what a union accepts, in words. */
function expected(schema: TSchema): string {
  const anyOf = (schema as { anyOf?: TSchema[] }).anyOf;
  if (anyOf) {
    const parts = anyOf.map(expected);
    return parts.length > 1 ? `${parts.slice(0, -1).join(', ')} or ${parts[parts.length - 1]}` : (parts[0] ?? 'a value');
  }
  if ('const' in schema) return JSON.stringify(schema.const);
  if (isDuration(schema)) return 'a duration';
  const words = expectedWords(schema);
  if (words) return words;
  const keys = schema.type === 'object' && schema.properties ? ` (${Object.keys(schema.properties as object).join(', ')})` : '';
  const types: Record<string, string> = {
    string: 'a string',
    number: 'a number',
    integer: 'an integer',
    boolean: 'true/false',
    array: 'a list',
    object: `a mapping${keys}`,
    null: 'null',
  };
  return types[String(schema.type)] ?? 'a value';
}

function describe(e: ValueError, hideValue: boolean): string {
  const got = hideValue ? '' : `; got ${JSON.stringify(e.value)}`;
  if (e.type === ValueErrorType.ObjectRequiredProperty) return 'required';
  if (e.type === ValueErrorType.ObjectAdditionalProperties) return 'unknown key';
  const choices = literals(e.schema);
  if (choices) return `expected one of ${choices.join(', ')}${got}`;
  if (isDuration(e.schema)) return `expected a duration like 30s, 5m, 7d${got}`;
  if (e.type === ValueErrorType.Union) return `expected ${expected(e.schema)}${got}`;
  const words = expectedWords(e.schema);
  if (words) return `expected ${words}${got}`;
  return `${e.message}${got}`;
}
