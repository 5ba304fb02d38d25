// How a Linux installer starts its package tool: through the agent's runner (allow-listed, no shell), in the C locale,
// with a timeout that ends at the window's end (at most MAX_ITEM_MS) and the run's abort signal.
import type { Runner } from '../../exec/runner.js';
import type { InstallContext } from '../installer.js';

/** One item's install never runs longer than this, whatever is left of the window. */
export const MAX_ITEM_MS = 2 * 3_600_000;

export interface ToolRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Milliseconds left for the item's tool: until the window's end, at most MAX_ITEM_MS, at least 1. */
export function timeLeftMs(ctx: InstallContext): number {
  return Math.max(1, Math.min(ctx.deadline - ctx.now(), MAX_ITEM_MS));
}

/**
 * Runs `command args` for one item. Exit codes in `answers` resolve with the output (the caller classifies them);
 * any other exit rejects with the runner's error (its `code` is the exit code). A tool still running at the window's
 * end is killed: that rejects with "stopped at the window's end".
 */
export async function runTool(
  runner: Runner,
  command: string,
  args: readonly string[],
  ctx: InstallContext,
  o: { answers: readonly number[]; env?: Readonly<Record<string, string>> },
): Promise<ToolRun> {
  try {
    const r = await runner(command, args, { timeoutMs: timeLeftMs(ctx), signal: ctx.signal, okExitCodes: o.answers, env: { LC_ALL: 'C', ...o.env } });
    return { exitCode: r.exitCode ?? 0, stdout: r.stdout, stderr: r.stderr };
  } catch (error) {
    const e = error as { killed?: boolean; name?: string };
    if (ctx.signal.aborted || e.killed === true || e.name === 'AbortError') throw new Error(`${command} stopped at the window's end`, { cause: error });
    throw error;
  }
}

/** The lines of a tool's output worth a result's `detail`: errors first (`keep`), else its last lines. */
export function errorLines(text: string, keep: RegExp, drop?: RegExp): string {
  const lines = text.split('\n').filter((l) => l.trim() !== '' && !(drop?.test(l) ?? false));
  const errors = lines.filter((l) => keep.test(l));
  return (errors.length > 0 ? errors : lines.slice(-5)).join('\n');
}
