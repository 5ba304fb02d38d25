// watchpost-collector patches approve|decline: a person's decision on one update of a tenant (its update key, as
// `patches list` shows it), for one ring (--ring) or every ring, by --by for --reason. The history is kept; the
// latest decision for a ring is in force. The serving collector plans with it from the agents' next plan (their next
// window, or a reconnection); POST /api/v1/patches/approvals also pushes the plans of connected agents at once.
import { loadRules } from '../alerting/rules/rules-file.js';
import { decidePatch } from '../patching/decide.js';
import type { PatchDecisionKind } from '../store/index.js';
import { CONFIG_OPTION, type Command } from './command.js';
import { withStore } from './context.js';
import { addFlags, flagErrors, knownTenant, stringOptions } from './hold-common.js';

const FLAGS = ['tenant', 'update', 'ring', 'by', 'reason'] as const;

function decideCommand(decision: PatchDecisionKind, summary: string): Command {
  return {
    usage: '--tenant ID --update KEY [--ring R] --by NAME --reason TEXT [--config FILE]',
    summary,
    options: { ...CONFIG_OPTION, ...stringOptions(FLAGS) },
    run: (input) =>
      withStore(input, (store, config) => {
        const v = addFlags(input, FLAGS, ['tenant', 'update', 'by', 'reason']);
        knownTenant(store, v.tenant);
        const rules = loadRules(config.rules.file || undefined, { includeDefaults: config.rules.defaults });
        const request = { tenant: v.tenant, update: v.update, decision, reason: v.reason, ...(v.ring ? { ring: v.ring } : {}) };
        const { decision: d } = flagErrors(() => decidePatch(store, rules, request, v.by));
        process.stdout.write(`${d.id}\n`);
        process.stderr.write(
          `${d.updateKey}: ${d.decision === 'approve' ? 'approved' : 'declined'} for ${d.ring ? `ring ${d.ring}` : 'every ring'} of ${d.tenant} by ${d.createdBy}\n`,
        );
        return 0;
      }),
  };
}

export const patchesApprove = decideCommand('approve', 'approve an update (by its key) for a ring or every ring of a tenant; installed in the next window');
export const patchesDecline = decideCommand(
  'decline',
  'decline an update (by its key) for a ring or every ring of a tenant; never installed until approved again',
);
