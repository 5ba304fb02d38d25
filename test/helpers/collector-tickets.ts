// A ticket to open in a test's store: one tenant's disk rule on one host, every field a plain default a test
// overrides where it matters (the host, the rule, the priority, the clocks).
import type { NewTicket } from '../../collector/src/store/index.js';

export function newTicket(over: Partial<NewTicket> = {}): NewTicket {
  const host = over.host ?? 'h';
  return {
    tenant: 'acme',
    host,
    agentId: `ag_${host}`,
    ruleId: 'disk',
    title: 't',
    summary: 's',
    priority: 'P2',
    urgency: 'medium',
    impact: 'high',
    slaProfile: 'x',
    sla: [],
    ...over,
  };
}
