// watchpost-collector ticket reopen ID --reason TEXT: reopens a resolved ticket as a new response obligation
// (acknowledgement and plan cleared, every SLA clock from now), as the API's reopen.
import { ticketArgs, ticketCommand, actorOf, requiredText } from './ticket-common.js';

export const ticketReopen = ticketCommand({
  usage: 'ID --reason TEXT',
  summary: 'reopen a resolved ticket: a new response obligation (its SLA clocks start again)',
  options: { reason: { type: 'string' } },
  parse: (input) => ({ id: ticketArgs(input, 'none').id, action: { kind: 'reopen', note: `reopened by ${actorOf(input)}: ${requiredText(input, 'reason')}` } }),
});
