// The rule-kind registry keeps its names honest, as the probe registry does: a kind's registry key is its file name
// (alerting/rules/kinds/<key>.ts, which exports it under that name) and the `kind:` a rules file writes for it, and
// every file in the folder is registered.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { pluginNames } from '../../../../helpers/registry.js';
import { RULE_KINDS } from '../../../../../collector/src/alerting/rules/kinds/index.js';
import type { RuleKind } from '../../../../../collector/src/alerting/rules/kind.js';
import { DEFAULT_RULES_FILE, loadRules, parseRules } from '../../../../../collector/src/alerting/rules/rules-file.js';

const FOLDER = fileURLToPath(new URL('../../../../../collector/src/alerting/rules/kinds/', import.meta.url));

describe('rule kind registry', () => {
  it('registers every file of alerting/rules/kinds/ (index.ts is the registry)', () => {
    expect(Object.keys(RULE_KINDS).sort()).toEqual(pluginNames(FOLDER));
  });

  // The registry wraps each kind with the roles filter (a new object), keeping the kind's schema and compile.
  it.each(Object.entries(RULE_KINDS))('%s: exported by alerting/rules/kinds/<key>.ts under its key', async (key, kind) => {
    const module = (await import(`${FOLDER}${key}.ts`)) as Record<string, RuleKind | undefined>;
    expect(module[key]?.schema).toBe(kind.schema);
    expect(module[key]?.compile).toBe(kind.compile);
  });

  // The shipped default pack uses every kind (rules-file.test.ts): each of its rules compiles as the kind it names.
  it.each(Object.keys(RULE_KINDS))('%s: a rule written `kind: <key>` in a rules file is compiled by it', (key) => {
    const doc = parseYaml(readFileSync(DEFAULT_RULES_FILE, 'utf8')) as { rules: { id: string; kind: string; enabled?: boolean }[] };
    const ids = doc.rules.filter((r) => r.kind === key && r.enabled !== false).map((r) => r.id);
    expect(ids.length).toBeGreaterThan(0);
    const shipped = loadRules();
    for (const id of ids) expect(shipped.rule('t', 'h', id)?.kind, id).toBe(key);
  });

  it('refuses a kind the registry does not hold, naming the known ones', () => {
    expect(() => parseRules('rules: [ { id: x, kind: threshold, title: X } ]', 'rules.yaml')).toThrow(
      `rules[0].kind: unknown rule kind "threshold" (known: ${Object.keys(RULE_KINDS).join(', ')})`,
    );
  });
});
