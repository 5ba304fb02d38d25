// What patch management keeps of the agents' points (the ingest observe hook's part, beside the alert and compliance
// engines): the updates each agent lists pending (`patches_pending`, for tenants with a patch policy only), which of
// them a newer run no longer lists (`patches`), and the outcome of each plan the agent ran (`patch_result`,
// `patch_run`, agent/src/patching/measurements.md). A batch with none of these costs nothing.
import type { watchpost } from '../../../proto/index.js';
import type { RuleSample } from '../alerting/contract.js';
import type { RuleSet } from '../alerting/rules/rules-file.js';
import { toRuleSamples } from '../alerting/samples.js';
import type { PatchResult, Store } from '../store/index.js';
import type { PatchManager } from './contract.js';
import { pendingUpdate } from './keys.js';

const READ = new Set(['patches', 'patches_pending', 'patch_result', 'patch_run']);
const OUTCOMES: readonly string[] = ['installed', 'failed', 'not_applicable', 'not_started'];
const MANAGERS: readonly string[] = ['apt', 'dnf', 'yum', 'zypper', 'wua', 'softwareupdate'];

export interface PatchIngestDeps {
  store: Store;
  rules: () => RuleSet;
  /** Hears a batch whose recording threw (a store error): the batch itself is delivered regardless. */
  onError?: (agentId: string, error: unknown) => void;
}

export type PatchIngest = (agent: { id: string; tenant: string; hostname: string }, samples: readonly watchpost.v1.ISample[]) => void;

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const int = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : 0);

export function createPatchIngest(deps: PatchIngestDeps): PatchIngest {
  const { store } = deps;
  return (agent, samples) => {
    try {
      const read = samples.filter((s) => READ.has(s.measurement ?? ''));
      if (read.length === 0) return;
      const points = toRuleSamples(read);
      const managed = deps.rules().terms(agent.tenant).patches !== undefined;
      const of = (m: string) => points.filter((p) => p.measurement === m);
      store.transaction(() => {
        if (managed) {
          for (const p of of('patches_pending')) {
            const u = pendingUpdate(p);
            if (u) store.patches.seePending(agent, u, p.time);
          }
          // After this batch's pending points: a run's updates are 1 ms after its summary, so those it lists stay.
          for (const p of of('patches')) store.patches.markGone(agent.id, p.time, p.time);
        }
        for (const p of of('patch_result')) {
          const r = result(agent, p);
          if (r) store.patches.putResult(r);
        }
        for (const p of of('patch_run')) {
          const planId = str(p.fields.plan_id);
          if (!planId) continue;
          store.patches.putRun({
            agentId: agent.id,
            tenant: agent.tenant,
            host: agent.hostname,
            planId,
            windowStart: int(p.fields.window_start) * 1000,
            windowEnd: int(p.fields.window_end) * 1000,
            approved: int(p.fields.approved),
            installed: int(p.fields.installed),
            failed: int(p.fields.failed),
            notApplicable: int(p.fields.not_applicable),
            notStarted: int(p.fields.not_started),
            rebootRequired: p.fields.reboot_required === true,
            rebooted: p.fields.rebooted === true,
            at: p.time,
          });
        }
      });
    } catch (error) {
      deps.onError?.(agent.id, error);
    }
  };
}

function result(agent: { id: string; tenant: string; hostname: string }, p: RuleSample): PatchResult | null {
  const planId = str(p.fields.plan_id);
  const installId = str(p.fields.id);
  const manager = p.tags.manager ?? '';
  const outcome = p.tags.outcome ?? '';
  if (!planId || !installId || !MANAGERS.includes(manager) || !OUTCOMES.includes(outcome)) return null;
  return {
    agentId: agent.id,
    tenant: agent.tenant,
    host: agent.hostname,
    planId,
    manager: manager as PatchManager,
    installId,
    title: str(p.fields.title) ?? installId,
    outcome: outcome as PatchResult['outcome'],
    code: typeof p.fields.code === 'number' ? Math.trunc(p.fields.code) : null,
    detail: str(p.fields.detail),
    at: p.time,
  };
}
