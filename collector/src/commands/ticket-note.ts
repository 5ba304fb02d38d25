// watchpost-collector ticket note ID TEXT: a note in the ticket's history (a resolved ticket too), as the API's notes.
import { ticketArgs, ticketCommand } from './ticket-common.js';

export const ticketNote = ticketCommand({
  usage: 'ID TEXT',
  summary: "add a note to a ticket's history",
  parse: (input) => {
    const { id, args } = ticketArgs(input, 'text');
    return { id, action: { kind: 'note', text: args.join(' ').trim() } };
  },
});
