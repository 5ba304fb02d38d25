// The collector's antivirus actions (proto AvAction): Defender's signature update or quick scan (windows/defender.ts),
// one at a time, each answered by an av_action point carrying the collector's request_id so it can match the result.
// Other platforms have no driven antivirus: they answer at once with outcome failed, "not available on this platform".
//
// Actions wait their turn in arrival order (a scan takes up to an hour); at most MAX_QUEUED wait, a request id already
// waiting or running is not queued twice, and beyond the bound an action is answered failed ("busy") at once.
import type { Logger } from '../base/log.js';
import type { Runner } from '../exec/runner.js';
import type { SampleDraft } from '../sample.js';
import {
  avActionSample,
  DEFENDER_TIMEOUTS_MS,
  runDefenderAction,
  validateDefenderAction,
  type DefenderAction,
  type DefenderActionResult,
} from './windows/defender.js';

export const MAX_QUEUED = 4;
export const NOT_AVAILABLE = 'not available on this platform';
const REQUEST_ID = /^[A-Za-z0-9_.:-]{1,64}$/;

export interface AvActionsDeps {
  runner: Runner;
  log: Logger;
  /** Into the agent's pipeline (spooled when it returns). */
  report(samples: SampleDraft[]): void;
  platform?: NodeJS.Platform;
  now?: () => number;
  /** Runs one action (tests); default runDefenderAction with the runner. */
  run?(action: DefenderAction, ctx: { signal: AbortSignal; deadline: number; now(): number }): Promise<DefenderActionResult>;
}

export interface AvActions {
  receive(message: { requestId?: string | null; action?: string | null }): void;
  /** Kills the running action (reported failed) and drops the waiting ones. */
  stop(): Promise<void>;
}

/** The av_action point of a result, with the collector's request id. */
export function avActionPoint(result: DefenderActionResult, requestId: string, time: number): SampleDraft {
  const sample = avActionSample(result, time);
  return { ...sample, fields: { ...sample.fields, request_id: requestId } };
}

export function createAvActions(deps: AvActionsDeps): AvActions {
  const now = deps.now ?? Date.now;
  const platform = deps.platform ?? process.platform;
  const run = deps.run ?? ((action, ctx) => runDefenderAction(deps.runner, action, ctx));
  const queue: { requestId: string; action: DefenderAction }[] = [];
  const stopping = new AbortController();
  let current: { requestId: string; done: Promise<void> } | null = null;

  const answer = (requestId: string, result: DefenderActionResult) => deps.report([avActionPoint(result, requestId, now())]);
  const failed = (action: DefenderAction, detail: string): DefenderActionResult => ({ action, outcome: 'failed', detail, durationMs: 0 });

  const next = (): void => {
    if (current || stopping.signal.aborted) return;
    const job = queue.shift();
    if (!job) return;
    const started = now();
    deps.log.info(`antivirus: ${job.action}`, { requestId: job.requestId });
    const done = run(job.action, { signal: stopping.signal, deadline: started + DEFENDER_TIMEOUTS_MS[job.action], now })
      .catch((error: unknown) => failed(job.action, `did not run: ${(error as Error).message}`.slice(0, 200)))
      .then((result) => answer(job.requestId, result))
      .finally(() => {
        current = null;
        next();
      });
    current = { requestId: job.requestId, done };
  };

  return {
    receive(message) {
      const requestId = message.requestId ?? '';
      let action: DefenderAction;
      try {
        action = validateDefenderAction(message.action);
        if (!REQUEST_ID.test(requestId)) throw new Error('request id: expected 1-64 characters of A-Z a-z 0-9 _ . : -');
      } catch (error) {
        deps.log.warn(`antivirus: action refused: ${(error as Error).message}`);
        return;
      }
      if (platform !== 'win32') return answer(requestId, failed(action, NOT_AVAILABLE));
      if (current?.requestId === requestId || queue.some((j) => j.requestId === requestId)) return;
      if (queue.length >= MAX_QUEUED) return answer(requestId, failed(action, `busy: ${MAX_QUEUED} actions already waiting`));
      queue.push({ requestId, action });
      next();
    },
    async stop() {
      stopping.abort(new Error('the agent is stopping'));
      queue.length = 0;
      await current?.done;
    },
  };
}
