// The one schema-error formatter: one path style (`rules[3].for`), what was expected in words, the value left out on
// request. Every loader's own tests show it on its file; this is the table of its rules.
import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { DURATION, firstSchemaError, schemaPath } from '../../../collector/src/config/schema-errors.js';

const Schema = Type.Object(
  {
    rules: Type.Optional(
      Type.Array(
        Type.Object(
          { for: Type.Optional(Type.String({ ...DURATION })), impact: Type.Optional(Type.Union([Type.Literal('high'), Type.Literal('low')])) },
          { additionalProperties: false },
        ),
      ),
    ),
    version: Type.Optional(Type.String({ pattern: '^[0-9]+$', expected: 'a number in digits' })),
    after: Type.Optional(Type.Union([Type.String({ ...DURATION }), Type.Object({ server: Type.String() })])),
    count: Type.Optional(Type.Integer()),
    name: Type.String(),
  },
  { additionalProperties: false },
);

describe('schema errors', () => {
  it.each([
    ['', '', '(root)'],
    ['', '/rules/3/for', 'rules[3].for'],
    ['tenants.acme.rules[1]', '/levels/0/above', 'tenants.acme.rules[1].levels[0].above'],
    ['', '/hosts/a~1b', 'hosts.a/b'],
  ])('path %j + %j reads %j', (prefix, pointer, path) => {
    expect(schemaPath(prefix, pointer)).toBe(path);
  });

  it.each([
    [{ name: 'x', rules: [{}, {}, {}, { for: 5 }] }, 'rules[3].for: expected a duration like 30s, 5m, 7d; got 5'],
    [{ name: 'x', rules: [{ impact: 'urgent' }] }, 'rules[0].impact: expected one of high, low; got "urgent"'],
    [{ name: 'x', version: 'latest' }, 'version: expected a number in digits; got "latest"'],
    [{ name: 'x', after: 5 }, 'after: expected a duration or a mapping (server); got 5'],
    [{ name: 'x', count: 'many' }, 'count: Expected integer; got "many"'],
    [{ name: 'x', bogus: 1 }, 'bogus: unknown key'],
    [{}, 'name: required'],
    [[], '(root): Expected object; got []'],
  ])('%j: %s', (value, message) => {
    expect(firstSchemaError(Schema, value)).toBe(message);
  });

  it('places a value inside its document, and leaves the value out when asked', () => {
    const hidden = firstSchemaError(Schema, { name: 'x', count: 'secret' }, { at: 'default_desks[0]', hideValue: true });
    expect(hidden).toBe('default_desks[0].count: Expected integer');
    expect(firstSchemaError(Schema, { name: 'x' })).toBeUndefined();
  });
});
