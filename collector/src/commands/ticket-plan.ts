// watchpost-collector ticket plan ID TEXT: the resolution plan (the plan clock stops, and respond if nobody
// acknowledged), as the API's plan. The words after the ID are the plan.
import { ticketArgs, ticketCommand } from './ticket-common.js';

export const ticketPlan = ticketCommand({
  usage: 'ID TEXT',
  summary: "give a ticket's resolution plan (stops its plan clock)",
  parse: (input) => {
    const { id, args } = ticketArgs(input, 'text');
    return { id, action: { kind: 'plan', text: args.join(' ').trim() } };
  },
});
