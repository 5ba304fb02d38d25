// watchpost-collector ticket ack ID: a person takes the ticket (the respond clock stops), as the API's ack.
import { ticketArgs, ticketCommand } from './ticket-common.js';

export const ticketAck = ticketCommand({
  usage: 'ID',
  summary: 'acknowledge a ticket: you take it (stops its respond clock)',
  parse: (input) => ({ id: ticketArgs(input, 'none').id, action: { kind: 'ack' } }),
});
