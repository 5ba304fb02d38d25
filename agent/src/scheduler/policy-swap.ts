// The scheduler under the central probe policy: started with the policy last saved, and replaced whole when the
// collector sends a different one (central-policy.ts says what a policy changes).
import type { Logger } from '../base/log.js';
import type { Probe } from '../probes/probe.js';
import { applyPolicy, loadPolicy, samePolicy, savePolicy, type AgentPolicy } from './central-policy.js';
import { createScheduler, type ProbeStats, type Scheduler, type SchedulerOptions } from './scheduler.js';

export interface PolicySwapOptions {
  stateDir: string;
  log: Logger;
  /** Every probe the agent has; a policy leaves some out and sets schedules. */
  probes: readonly Probe[];
  /** `run --every`: above any policy. */
  everyMs?: number;
  /** Everything else each scheduler is created with. */
  scheduler: Omit<SchedulerOptions, 'probes' | 'schedules'>;
}

export interface PolicyScheduler {
  /** Starts the scheduler of the saved policy (none saved: the probes' own schedules). */
  start(): void;
  /** The link's onPolicy. A different policy replaces the scheduler (a bad schedule is refused and the old one
   *  kept) and is saved; policies are applied one at a time, in the order received. */
  receive(policy: AgentPolicy): void;
  /** The current scheduler's counters. */
  stats(): Record<string, ProbeStats>;
  /** Lets a policy being applied finish, so the scheduler stopped is the current one, then stops it. */
  stop(): Promise<void>;
}

function schedulerFor(options: PolicySwapOptions, policy: AgentPolicy): Scheduler {
  const { probes, schedules } = applyPolicy(options.probes, policy, options.everyMs);
  return createScheduler({ ...options.scheduler, probes, schedules });
}

const describePolicy = (policy: AgentPolicy): string =>
  policy.probes.map((p) => `${p.name}${p.disabled ? ':off' : p.schedule ? `=${p.schedule}` : ''}`).join(',') || 'defaults';

export function scheduleUnderPolicy(options: PolicySwapOptions): PolicyScheduler {
  const { stateDir, log } = options;
  let policy = loadPolicy(stateDir);
  let scheduler = schedulerFor(options, policy);
  let applying = Promise.resolve();
  const apply = async (received: AgentPolicy) => {
    let next: Scheduler;
    try {
      next = schedulerFor(options, received);
    } catch (error) {
      log.error('agent: central policy refused; keeping the current schedules', { err: (error as Error).message });
      return;
    }
    policy = received;
    await scheduler.stop();
    scheduler = next;
    scheduler.start();
    savePolicy(stateDir, policy);
    log.info('agent: central policy applied', { probes: describePolicy(policy) });
  };
  return {
    start: () => scheduler.start(),
    receive(received) {
      if (samePolicy(received, policy)) return;
      applying = applying.then(() => apply(received));
    },
    stats: () => scheduler.stats(),
    async stop() {
      await applying;
      await scheduler.stop();
    },
  };
}
