// The patch run: a validated plan, the installers this machine has and a clock in; each item installed at most
// once, only inside the plan's window, then a reboot as the plan's policy allows; a summary and one result per item
// out, as samples for the agent's pipeline. The link calls runPatchPlan; nothing here talks to the collector.
//
// Decision: the run hands each installer all of its manager's items at once (grouped per manager, in the order the
// plan first names each), because (1) WUA installs a batch in one call and reports per update, and (2) the installer's
// context carries the window's end, so a one-by-one installer (installOneByOne) starts nothing after it. The window
// signal is aborted at the window's end: the install running then is killed (reported failed), the rest not_started.
//
// Decision: the results are handed over (deps.deliver: spooled and fsynced by the agent) BEFORE any reboot command
// runs, because a reboot that begins while they exist only in memory loses the one report of what was installed. The
// summary handed over then says rebooted=true for the reboot about to be asked; if the command fails, the summary is
// handed over again, corrected, with the same time, so that InfluxDB keeps only the corrected point.
import type { Logger } from '../base/log.js';
import { realTimers, type Timers } from '../base/timers.js';
import type { SampleDraft } from '../sample.js';
import type { Installer, InstallContext } from './installer.js';
import type { ItemResult, PatchItem, PatchManager, PatchPlan, RebootPolicy } from './plan.js';
import { countOutcomes, patchRunSamples, type PatchRunSummary } from './report.js';
import { closed, excerpt, failedUnhandled, notStarted } from './results.js';

/** The longest single timer while waiting for the window to open; the clock is read again after each. */
const WAIT_SLICE_MS = 60_000;
export const NOT_HANDLED = 'not handled on this machine';

export interface PatchRunDeps {
  /** The installers of this machine (patching/linux/, windows/, darwin.ts); an item of a manager none handles fails. */
  installers: readonly Installer[];
  log: Logger;
  now(): number;
  /** Aborted when the agent stops: ends the wait for the window, kills the running install, starts nothing more. */
  signal?: AbortSignal;
  timers?: Timers;
  /**
   * Takes the run's samples into the agent's pipeline and returns once they are durable (the spool fsynced). Called
   * once per run before any reboot command, and once more with the corrected summary when that command fails.
   */
  deliver?(samples: SampleDraft[]): void | Promise<void>;
}

export interface PatchRunOutcome {
  samples: SampleDraft[];
  summary: PatchRunSummary;
  /** The items' results in plan order (also in `samples`). */
  results: ItemResult[];
}

export async function runPatchPlan(plan: PatchPlan, deps: PatchRunDeps): Promise<PatchRunOutcome> {
  const timers = deps.timers ?? realTimers;
  const stop = deps.signal ?? new AbortController().signal;
  const log = deps.log;
  while (!stop.aborted && deps.now() < plan.windowStart) await sleep(Math.min(plan.windowStart - deps.now(), WAIT_SLICE_MS), stop, timers);
  const started = deps.now();

  // Aborted at the window's end or when the agent stops: what the installers' context carries.
  const window = new AbortController();
  const onStop = () => window.abort(stop.reason);
  stop.addEventListener('abort', onStop, { once: true });
  const timer = timers.setTimeout(() => window.abort(new Error("the install window's end")), Math.max(0, plan.windowEnd - started));
  const ctx: InstallContext = { signal: window.signal, deadline: plan.windowEnd, log, now: deps.now };
  if (stop.aborted) window.abort(stop.reason);
  const used = new Set<Installer>();
  let results: ItemResult[];
  try {
    if (closed(ctx)) log.warn(`patching: plan ${plan.planId} not started: ${stop.aborted ? 'the agent is stopping' : 'its window has closed'}`);
    results = await installAll(plan, deps.installers, ctx, used);
  } finally {
    timers.clearTimeout(timer);
    stop.removeEventListener('abort', onStop);
  }

  const decision = await rebootDecision(plan, [...used], results, { ...ctx, signal: stop });
  const end = deps.now();
  const base = {
    planId: plan.planId,
    windowStart: plan.windowStart,
    windowEnd: plan.windowEnd,
    ...countOutcomes(results),
    durationMs: Math.max(0, end - started),
  };
  const { rebootRequired } = decision;
  let summary: PatchRunSummary = { ...base, rebootRequired, rebooted: decision.reboot !== null, ...(decision.detail ? { rebootDetail: decision.detail } : {}) };
  let samples = patchRunSamples(summary, results, end);
  await deliver(deps, samples);
  if (decision.reboot) {
    const failure = await reboot(decision.reboot, { ...ctx, signal: stop });
    if (failure !== null) {
      summary = { ...base, rebootRequired, rebooted: false, rebootDetail: failure };
      samples = patchRunSamples(summary, results, end);
      await deliver(deps, samples.slice(0, 1));
    }
  }
  log.info(`patching: plan ${plan.planId} done`, { ...countOutcomes(results), rebootRequired: summary.rebootRequired, rebooted: summary.rebooted });
  return { samples, summary, results };
}

/** deps.deliver, whose failure is logged: the reboot still follows (the samples stay in the returned outcome). */
async function deliver(deps: PatchRunDeps, samples: SampleDraft[]): Promise<void> {
  try {
    await deps.deliver?.(samples);
  } catch (error) {
    deps.log.error("patching: could not hand the run's results to the pipeline", { error });
  }
}

/** Each manager's items to its installer, managers in the order the plan first names them; results in plan order. */
async function installAll(plan: PatchPlan, installers: readonly Installer[], ctx: InstallContext, used: Set<Installer>): Promise<ItemResult[]> {
  const results: ItemResult[] = new Array<ItemResult>(plan.items.length);
  const managers = [...new Set(plan.items.map((item) => item.manager))];
  for (const manager of managers) {
    const indexes = plan.items.flatMap((item, i) => (item.manager === manager ? [i] : []));
    const items = indexes.map((i) => plan.items[i]!);
    const installer = installers.find((x) => x.managers.includes(manager));
    let group: ItemResult[];
    if (closed(ctx)) group = items.map(notStarted);
    else if (!installer) group = items.map((item) => failedUnhandled(item, NOT_HANDLED));
    else {
      used.add(installer);
      group = await install(installer, manager, items, ctx);
    }
    indexes.forEach((i, k) => (results[i] = group[k]!));
  }
  return results;
}

/** The installer's answer, held to its contract: one result per item, same id, in order. */
async function install(installer: Installer, manager: PatchManager, items: PatchItem[], ctx: InstallContext): Promise<ItemResult[]> {
  let answer: ItemResult[];
  try {
    answer = await installer.install(items, ctx);
  } catch (error) {
    const detail = excerpt(error instanceof Error ? error.message : String(error));
    ctx.log.error(`patching: the ${manager} installer failed`, { error: detail });
    return items.map((item) => failedUnhandled(item, detail));
  }
  return items.map((item, k) => {
    const r = answer[k];
    return r !== undefined && r.id === item.id && r.manager === item.manager ? r : failedUnhandled(item, 'no result from the installer');
  });
}

/**
 * After the installs: a reboot is required when an install said so or the OS says one is pending. `never`: only
 * reported. `if_required` and `warn`: to be asked of the OS when required and the window is still open (and the agent
 * not stopping); a closed window is reported in `detail`.
 */
async function rebootDecision(
  plan: PatchPlan,
  used: Installer[],
  results: readonly ItemResult[],
  ctx: InstallContext,
): Promise<{ rebootRequired: boolean; reboot: { installer: Installer; policy: Exclude<RebootPolicy, { mode: 'never' }> } | null; detail?: string }> {
  let rebootRequired = results.some((r) => r.rebootRequired);
  for (const installer of used) {
    if (rebootRequired) break;
    rebootRequired = await installer.rebootPending(ctx).catch((error: unknown) => {
      ctx.log.warn('patching: could not tell whether a reboot is pending', { error });
      return false;
    });
  }
  const policy = plan.reboot;
  const rebooter = used[0];
  if (policy.mode === 'never' || !rebootRequired || !rebooter) return { rebootRequired, reboot: null };
  if (closed(ctx)) return { rebootRequired, reboot: null, detail: ctx.signal.aborted ? 'the agent was stopping' : 'the window had closed' };
  return { rebootRequired, reboot: { installer: rebooter, policy } };
}

/** Asks the OS to reboot; null when it accepted, else the command's error (reported in rebootDetail). */
async function reboot(r: { installer: Installer; policy: Exclude<RebootPolicy, { mode: 'never' }> }, ctx: InstallContext): Promise<string | null> {
  try {
    await r.installer.reboot(r.policy, ctx);
    return null;
  } catch (error) {
    const detail = excerpt(error instanceof Error ? error.message : String(error));
    ctx.log.error('patching: the reboot command failed', { error: detail });
    return detail;
  }
}

/** Resolves after `ms` or when `signal` aborts, whichever is first. */
function sleep(ms: number, signal: AbortSignal, timers: Timers): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      timers.clearTimeout(handle);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const handle = timers.setTimeout(done, Math.max(0, ms));
    signal.addEventListener('abort', done, { once: true });
  });
}
