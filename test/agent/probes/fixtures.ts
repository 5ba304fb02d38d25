// Paths of the captured OS files under test/fixtures (see test/fixtures/README.md for where each came from).
import { throwawayCheckpoints } from '../../../agent/src/checkpoints/store.js';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Runner } from '../../../agent/src/exec/runner.js';
import type { ProbeContext } from '../../../agent/src/probes/probe.js';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));
export const LINUX_PROC = `${FIXTURES}linux/proc`;
export const LINUX_PROC_LATER = `${FIXTURES}linux/proc-later`;

export function fixture(path: string): string {
  return readFileSync(`${FIXTURES}${path}`, 'utf8');
}

/** A runner that answers every allowed call with captured output and records what was asked. */
export function replayRunner(stdout: string): { runner: Runner; calls: { command: string; args: readonly string[] }[] } {
  const calls: { command: string; args: readonly string[] }[] = [];
  const runner: Runner = async (command, args) => {
    calls.push({ command, args });
    return { stdout, stderr: '' };
  };
  return { runner, calls };
}

export function context(runner?: Runner, signal = new AbortController().signal): ProbeContext {
  const refuse: Runner = async (command) => {
    throw new Error(`unexpected command: ${command}`);
  };
  return { signal, runner: runner ?? refuse, now: () => Date.now(), checkpoints: throwawayCheckpoints().session('test') };
}

/** Format-List text (a real capture) -> property map, the shape the agent's PowerShell scripts select. */
export function formatList(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^(\w+)\s*:\s?(.*)$/.exec(line);
    if (m) out[m[1]!] = m[2]!.trim();
  }
  return out;
}
