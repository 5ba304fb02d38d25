// watchpost-collector ticket resolve ID [--note TEXT]: resolves the ticket (its running clocks stop), as the API's
// resolve. When its alert still fires, a warning says so and when the ticket reopens if it still fires then.
import { stillFiringWarning } from '../tickets/actions.js';
import { flag } from './hold-common.js';
import { ticketArgs, ticketCommand } from './ticket-common.js';

export const ticketResolve = ticketCommand({
  usage: 'ID [--note TEXT]',
  summary: 'resolve a ticket (stops its running clocks); warns when its alert is still firing',
  options: { note: { type: 'string' } },
  parse: (input) => {
    const note = flag(input.values.note)?.trim();
    return { id: ticketArgs(input, 'none').id, action: { kind: 'resolve', ...(note ? { note } : {}) } };
  },
  after: (engine, ticket) => {
    const firing = engine.stillFiring(ticket);
    if (firing) process.stdout.write(`warning: ${stillFiringWarning(firing)}\n`);
  },
});
