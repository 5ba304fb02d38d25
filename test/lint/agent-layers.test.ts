// The agent's layer rules (eslint.config.js): probes -> scheduler -> delivery, base/ at the bottom, the CLI on top.
// Each forbidden import is refused, each allowed one passes, and the agent/collector boundary holds in every layer.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

async function ruleIds(spec: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(`import * as x from '${spec}';\nexport const y = x;\n`, { filePath });
  return result!.messages.map((m) => m.ruleId ?? m.message);
}

describe('eslint layers of the agent', () => {
  it.each([
    ['agent/src/probes/cpu/bad.ts', '../../delivery/batcher.js'],
    ['agent/src/probes/cpu/bad.ts', '../../scheduler/scheduler.js'],
    ['agent/src/probes/cpu/bad.ts', '../../checkpoints/store.js'],
    ['agent/src/probes/cpu/bad.ts', '../../commands/run.js'],
    ['agent/src/probes/cpu/bad.ts', '../eventlog/eventlog.js'],
    ['agent/src/probes/common/bad.ts', '../cpu/cpu.js'],
    ['agent/src/probes/bad.ts', '../delivery/link.js'],
    ['agent/src/delivery/bad.ts', '../probes/probe.js'],
    ['agent/src/delivery/bad.ts', '../scheduler/scheduler.js'],
    ['agent/src/delivery/bad.ts', '../commands/run.js'],
    ['agent/src/delivery/spool/bad.ts', '../../probes/index.js'],
    ['agent/src/scheduler/bad.ts', '../delivery/batcher.js'],
    ['agent/src/scheduler/bad.ts', '../probes/index.js'],
    ['agent/src/scheduler/bad.ts', '../probes/cpu/cpu.js'],
    ['agent/src/watchdog/bad.ts', '../commands/run.js'],
    ['agent/src/bad.ts', './commands/index.js'],
    ['agent/src/commands/bad.ts', '../probes/cpu/cpu.js'],
    ['agent/src/base/bad.ts', '../sample.js'],
    ['agent/src/base/bad.ts', '../../../collector/src/config.js'],
    ['agent/src/probes/cpu/bad.ts', '../../../../collector/src/config.js'],
    ['agent/src/delivery/bad.ts', '../../../collector/src/config.js'],
    ['agent/src/probes/patches/bad.ts', '../../patching/run.js'],
    ['agent/src/patching/bad.ts', '../delivery/link.js'],
    ['agent/src/patching/bad.ts', '../scheduler/scheduler.js'],
    ['agent/src/patching/linux/bad.ts', '../../probes/patches/apt.js'],
    ['agent/src/patching/linux/bad.ts', '../../probes/cpu/cpu.js'],
  ])('refuses %s importing %s', async (file, spec) => {
    expect(await ruleIds(spec, file)).toContain('no-restricted-imports');
  });

  it.each([
    ['agent/src/probes/cpu/ok.ts', '../common/proc-stat.js'],
    ['agent/src/probes/cpu/ok.ts', '../probe.js'],
    ['agent/src/probes/cpu/ok.ts', '../../sample.js'],
    ['agent/src/probes/cpu/ok.ts', '../../exec/runner.js'],
    ['agent/src/probes/cpu/ok.ts', '../../base/log.js'],
    ['agent/src/probes/ok.ts', './cpu/cpu.js'],
    ['agent/src/delivery/ok.ts', '../scheduler/central-policy.js'],
    ['agent/src/delivery/ok.ts', '../checkpoints/ack-checkpoints.js'],
    ['agent/src/scheduler/ok.ts', '../probes/probe.js'],
    ['agent/src/commands/ok.ts', '../probes/index.js'],
    ['agent/src/cli.ts', './commands/index.js'],
    ['agent/src/base/ok.ts', './log.js'],
    ['agent/src/ok.ts', './delivery/pipeline.js'],
    ['agent/src/patching/ok.ts', '../exec/runner.js'],
    ['agent/src/patching/ok.ts', '../sample.js'],
    ['agent/src/patching/linux/ok.ts', '../../base/log.js'],
    ['agent/src/patching/linux/ok.ts', '../../probes/patches/linux.js'],
  ])('allows %s importing %s', async (file, spec) => {
    expect(await ruleIds(spec, file)).toEqual([]);
  });
});
