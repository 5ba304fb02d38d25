// The first schema error of a document as a person reads it: `rollouts[2].version: expected a release version
// like 1.2.3, got "latest"`, instead of a JSON pointer and a raw regular expression.
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/** `/rollouts/2/version` -> `rollouts[2].version` */
export const readablePath = (pointer: string): string =>
  pointer.replace(/^\//, '').replace(/\/([0-9]+)(?=\/|$)/g, '[$1]').replace(/\//g, '.') || '(root)';

/** "path: message" for the first error, or null when the value is valid. */
export function firstSchemaError(schema: TSchema, value: unknown): string | null {
  const first = Value.Errors(schema, value).First();
  if (!first) return null;
  const described = typeof first.schema.pattern === 'string' && typeof first.schema.description === 'string';
  const message = described ? `expected ${first.schema.description as string}, got ${JSON.stringify(first.value)}` : first.message;
  return `${readablePath(first.path)}: ${message}`;
}
