// A person's approval or decline of one update (for one ring or all), as the API and the CLI make it: the key and
// ring checked against what the tenant has, recorded with who and why (history kept), and the plans of the agents
// that list the update pushed again at once, so a decision during an open window reaches them in seconds.
import type { RuleSet } from '../alerting/rules/rules-file.js';
import { StoreError, type PatchDecision, type PatchDecisionKind, type Store } from '../store/index.js';
import type { AgentActions } from './contract.js';
import { KEY_PATTERN } from './keys.js';

export interface DecisionRequest {
  tenant: string;
  update: string;
  decision: PatchDecisionKind;
  ring?: string;
  reason: string;
}

/** Records the decision; returns it and the agents whose plans were refreshed. Throws StoreError `invalid_argument`, `tenant_unknown`. */
export function decidePatch(
  store: Store,
  rules: RuleSet,
  req: DecisionRequest,
  by: string,
  actions?: Pick<AgentActions, 'refreshPlan'>,
): { decision: PatchDecision; refreshed: string[] } {
  if (!KEY_PATTERN.test(req.update))
    throw new StoreError(
      'invalid_argument',
      `update: expected an update key (kb:KB5034441, pkg:openssl, adv:RHSA-2024:1234, patch:..., wua:<guid>, label:...); got "${req.update}"`,
    );
  const policy = rules.terms(req.tenant).patches;
  if (req.ring !== undefined && !policy?.rings.some((r) => r.name === req.ring)) {
    const known = policy ? policy.rings.map((r) => r.name).join(', ') : 'none: the tenant has no terms.patches';
    throw new StoreError('invalid_argument', `ring: unknown ring "${req.ring}" (rings: ${known})`);
  }
  const decision = store.patches.decide({
    tenant: req.tenant,
    updateKey: req.update,
    decision: req.decision,
    reason: req.reason,
    createdBy: by,
    ...(req.ring !== undefined ? { ring: req.ring } : {}),
  });
  const agents = [...new Set(store.patches.pending({ tenant: req.tenant }).flatMap((u) => (u.key === req.update ? [u.agentId] : [])))];
  for (const id of agents) actions?.refreshPlan(id);
  return { decision, refreshed: actions ? agents : [] };
}
