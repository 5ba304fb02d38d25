// watchpost-collector ticket priority ID P1..P4 --reason TEXT: a technician sets the priority, saying why; the due
// times are recomputed and the desks told (escalated or deescalated, with the reason), as the API's priority.
import { PRIORITIES, type Priority } from '../alerting/contract.js';
import { UsageError } from '../errors.js';
import { requiredText, ticketArgs, ticketCommand } from './ticket-common.js';

export const ticketPriority = ticketCommand({
  usage: 'ID P1|P2|P3|P4 --reason TEXT',
  summary: "set a ticket's priority with a reason (due times recomputed, desks told)",
  options: { reason: { type: 'string' } },
  parse: (input) => {
    const { id, args } = ticketArgs(input, 'one');
    const priority = args[0]!.toUpperCase();
    if (!PRIORITIES.includes(priority as Priority)) throw new UsageError(`expected a priority ${PRIORITIES.join(', ')}; got "${args[0]}"`);
    return { id, action: { kind: 'priority', priority: priority as Priority, reason: requiredText(input, 'reason') } };
  },
});
