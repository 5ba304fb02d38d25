// The architectural rule: agent and collector never import each other (they share only proto/).
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

async function ruleIds(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.map((m) => m.ruleId ?? m.message);
}

describe('eslint boundary between agent and collector', () => {
  it('refuses an agent file importing collector code', async () => {
    expect(await ruleIds("import { x } from '../../collector/src/config/config.js';\nexport const y = x;\n", 'agent/src/bad.ts')).toContain(
      'no-restricted-imports',
    );
  });

  it('refuses a collector file importing agent code', async () => {
    expect(await ruleIds("import { x } from '../../agent/src/sample.js';\nexport const y = x;\n", 'collector/src/bad.ts')).toContain('no-restricted-imports');
  });

  it('allows both to import the protocol', async () => {
    expect(await ruleIds("import { wire } from '../../proto/index.js';\nexport const y = wire;\n", 'agent/src/ok.ts')).toEqual([]);
    expect(await ruleIds("import { wire } from '../../proto/index.js';\nexport const y = wire;\n", 'collector/src/ok.ts')).toEqual([]);
  });
});
