// The annotated YAML a sample file is written as: given keys written, required ones from the schema's examples,
// optional ones commented out with their default, each under its description.
import { Type } from '@sinclair/typebox';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { schemaSample } from '../../../collector/src/config/schema-sample.js';

const Schema = Type.Object({
  url: Type.String({ description: 'where to send', examples: ['https://example.net/in'] }),
  port: Type.Optional(Type.Integer({ description: 'its port', default: 443 })),
  map: Type.Optional(Type.Object({ high: Type.Integer({ default: 1 }), low: Type.Integer({ default: 3 }) }, { description: 'levels' })),
  hosts: Type.Optional(Type.Record(Type.String(), Type.Object({ role: Type.String({ description: 'its role' }) }, { description: 'a host' }))),
});

describe('schemaSample', () => {
  it('writes given and required keys, comments out optional ones with their defaults, and annotates each', () => {
    const text = schemaSample('# head\n', Schema, { hosts: { db1: { role: 'server' } } });
    expect(text).toBe(
      [
        '# head',
        '',
        '# where to send [required]',
        'url: https://example.net/in',
        '',
        '# its port [default: 443]',
        '# port: 443',
        '',
        '# levels [optional]',
        '# map:',
        '#   high: 1',
        '#   low: 3',
        '',
        '# [optional]',
        'hosts:',
        '  # a host',
        '  db1:',
        '    # its role [required]',
        '    role: server',
        '',
      ].join('\n'),
    );
    expect(parse(text)).toEqual({ url: 'https://example.net/in', hosts: { db1: { role: 'server' } } });
  });

  it('refuses a required key that neither the example nor the schema gives a value for', () => {
    expect(() => schemaSample('', Type.Object({ a: Type.Object({ b: Type.String() }) }), { a: {} })).toThrow(
      'sample: a.b is required and its schema has no examples',
    );
  });
});
