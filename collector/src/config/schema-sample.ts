// Annotated YAML samples of the files the collector loads (the desks file, the probe policy), written from their
// schemas so a sample can never drift from what the loader accepts. Above each key: its schema description and its
// default, or [required] / [optional]. A key the example value gives is written; a required key it leaves out takes
// the schema's first `examples` entry (a schema without one is a generator error, not a silent gap); an optional key
// it leaves out is written commented out, with its default (else its first example, else a <type> placeholder).
import type { TSchema } from '@sinclair/typebox';
import { stringify } from 'yaml';

interface Node {
  description?: string;
  default?: unknown;
  examples?: unknown[];
  type?: string;
  properties?: Record<string, Node>;
  required?: string[];
  patternProperties?: Record<string, Node>;
  items?: Node;
  anyOf?: Node[];
  const?: unknown;
}

const INDENT = '  ';
const isMapping = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** One line of YAML for a value: scalars as `yaml` quotes them, lists and mappings in flow style. */
export function flowYaml(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(flowYaml).join(', ')}]`;
  if (isMapping(value)) {
    const entries = Object.entries(value);
    return entries.length ? `{ ${entries.map(([k, v]) => `${flowYaml(k)}: ${flowYaml(v)}`).join(', ')} }` : '{}';
  }
  return stringify(value, { lineWidth: 0 }).trimEnd();
}

/** What a value of this schema looks like, for a commented-out key with neither default nor example. */
function placeholder(node: Node): string {
  if (node.anyOf) return node.anyOf.map((n) => ('const' in n ? String(n.const) : placeholder(n))).join(node.anyOf.every((n) => 'const' in n) ? '|' : ' or ');
  if (node.type === 'array') return `[${node.items ? placeholder(node.items) : '<value>'}]`;
  if (node.patternProperties) return '{ <name>: <value> }';
  return `<${node.type ?? 'value'}>`;
}

function annotation(node: Node, required: boolean, indent: string): string[] {
  const dflt = node.properties && isMapping(node.default) ? 'as below' : flowYaml(node.default ?? null);
  const status = node.default === undefined ? (required ? '[required]' : '[optional]') : `[default: ${dflt}]`;
  return [`${indent}# ${node.description ? `${node.description} ` : ''}${status}`];
}

/** A key that is left out: commented out, its members listed one level in (a mapping's defaults beside them). */
function commentedOut(key: string, node: Node, indent: string): string[] {
  const shown = node.default ?? node.examples?.[0];
  if (node.properties && (shown === undefined || isMapping(shown))) {
    return [
      `${indent}# ${key}:`,
      ...Object.entries(node.properties).map(([k, child]) => {
        const value = (shown as Record<string, unknown> | undefined)?.[k] ?? child.default ?? child.examples?.[0];
        const text = value === undefined ? placeholder(child) : flowYaml(value);
        return `${indent}# ${INDENT}${k}: ${text}${child.description ? `  # ${child.description}` : ''}`;
      }),
    ];
  }
  return [`${indent}# ${key}: ${shown === undefined ? placeholder(node) : flowYaml(shown)}`];
}

/** `key: value`, or `key:` and the value's own lines below it. */
function written(key: string, node: Node, value: unknown, indent: string, path: string): string[] {
  const isTree = node.properties !== undefined || node.patternProperties !== undefined;
  // An empty mapping stays `{}` (its commented-out members alone would read as null), unless it needs required keys.
  if (isTree && isMapping(value) && (Object.keys(value).length > 0 || (node.required ?? []).length > 0))
    return [`${indent}${key}:`, ...members(node, value, indent + INDENT, path)];
  if (Array.isArray(value) && value.some(isMapping)) return [`${indent}${key}:`, ...value.map((item) => `${indent}${INDENT}- ${flowYaml(item)}`)];
  return [`${indent}${key}: ${flowYaml(value)}`];
}

/** The lines of a mapping: every property of an object schema, or every entry of a record's value. */
function members(node: Node, value: Record<string, unknown>, indent: string, path: string): string[] {
  if (node.properties) {
    const required = new Set(node.required ?? []);
    return Object.entries(node.properties).flatMap(([key, child]) => {
      const at = path ? `${path}.${key}` : key;
      const given = Object.hasOwn(value, key) ? value[key] : required.has(key) ? child.examples?.[0] : undefined;
      if (given === undefined && required.has(key)) throw new Error(`sample: ${at} is required and its schema has no examples`);
      const lines = given === undefined ? commentedOut(key, child, indent) : written(key, child, given, indent, at);
      return [...(indent === '' ? [''] : []), ...annotation(child, required.has(key), indent), ...lines];
    });
  }
  const entry = Object.values(node.patternProperties ?? {})[0] ?? {};
  return Object.entries(value).flatMap(([key, item]) => [
    ...(entry.description ? [`${indent}# ${entry.description}`] : []),
    ...written(flowYaml(key), entry, item, indent, path ? `${path}.${key}` : key),
  ]);
}

/** The sample file: `header` (comment lines), then `example` written against `schema`, every key annotated. */
export function schemaSample(header: string, schema: TSchema, example: Record<string, unknown>): string {
  return `${header}${members(schema as Node, example, '', '').join('\n')}\n`;
}
