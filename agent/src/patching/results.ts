// What every installer shares: the one-at-a-time loop that starts no install once the window has closed, and the
// result of an item that never ran. Pure but for the installer's own call.
import type { InstallContext } from './installer.js';
import type { ItemResult, PatchItem } from './plan.js';

/** What an installer knows about one item once its tool has run; the loop adds id, manager, title and the duration. */
export type ItemOutcomeReport = Omit<ItemResult, 'id' | 'manager' | 'title' | 'durationMs'>;

export const notStarted = (item: PatchItem): ItemResult => ({ ...pick(item), outcome: 'not_started', rebootRequired: false, durationMs: 0 });

export const failedUnhandled = (item: PatchItem, detail: string): ItemResult => ({
  ...pick(item),
  outcome: 'failed',
  detail,
  rebootRequired: false,
  durationMs: 0,
});

const pick = ({ id, manager, title }: PatchItem) => ({ id, manager, title });

/** The window is over for new installs: its end has passed, or the run was stopped. */
export const closed = (ctx: InstallContext): boolean => ctx.signal.aborted || ctx.now() >= ctx.deadline;

/** A short excerpt of a tool's output for `detail` (never a whole log). */
export function excerpt(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/**
 * Installs `items` in order, one at a time: before each, a closed window (or a stopped run) leaves it and the rest
 * `not_started`; an install that throws is `failed` with the error (and its exit code when it has one), so one
 * broken item never hides the others.
 */
export async function installOneByOne(
  items: readonly PatchItem[],
  ctx: InstallContext,
  installOne: (item: PatchItem, ctx: InstallContext) => Promise<ItemOutcomeReport>,
): Promise<ItemResult[]> {
  const results: ItemResult[] = [];
  for (const item of items) {
    if (closed(ctx)) {
      results.push(notStarted(item));
      continue;
    }
    const start = ctx.now();
    let report: ItemOutcomeReport;
    try {
      report = await installOne(item, ctx);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      report = {
        outcome: 'failed',
        ...(typeof code === 'number' ? { code } : {}),
        detail: excerpt(error instanceof Error ? error.message : String(error)),
        rebootRequired: false,
      };
      ctx.log.warn(`${item.manager} ${item.id}: install failed`, { error: report.detail });
    }
    results.push({ ...pick(item), ...report, durationMs: Math.max(0, ctx.now() - start) });
  }
  return results;
}
