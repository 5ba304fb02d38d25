// What the ticket action commands (ticket ack, plan, note, resolve, reopen, priority) share: the ticket id, who
// acted (--by, default the OS user), and the alert engine they act through, the same the API uses. The engine
// here reads the store's alerts and the rules file as `serve` does and queues its points and desk events in the
// store's outboxes, which a running `serve` on the same data directory ships and delivers.
import { userInfo } from 'node:os';
import { createAlertEngine, type AlertEngine } from '../alerting/engine.js';
import { loadRules } from '../alerting/rules/rules-file.js';
import { loadDesks } from '../desks/desks-file.js';
import type { Config } from '../config/config.js';
import { UsageError } from '../errors.js';
import type { Store, Ticket } from '../store/index.js';
import type { TicketAction } from '../tickets/actions.js';
import { CONFIG_OPTION, type Command, type CommandInput } from './command.js';
import { storeTransitions, withStore } from './context.js';
import { flag } from './hold-common.js';

export const BY_OPTION = { by: { type: 'string' } } as const;

/** The longest name recorded as who acted, as a desk user's name is. */
const MAX_BY = 100;

/** Who acted: --by NAME, else the OS user running the command. Printable, at most MAX_BY characters. */
export function actorOf(input: CommandInput): string {
  const given = flag(input.values.by);
  if (given !== undefined) {
    const name = given.trim();
    if (!name || /[\p{Cc}\p{Cf}]/u.test(name) || name.length > MAX_BY) throw new UsageError(`--by: expected a name of 1 to ${MAX_BY} printable characters`);
    return name;
  }
  try {
    return userInfo().username;
  } catch {
    throw new UsageError('--by: no OS user name for this process; say who acts with --by NAME');
  }
}

/** A required text flag (--reason): given and more than blanks. */
export function requiredText(input: CommandInput, name: string): string {
  const text = flag(input.values[name])?.trim();
  if (!text) throw new UsageError(`--${name}: required (why)`);
  if (text.length > 1000) throw new UsageError(`--${name}: at most 1000 characters`);
  return text;
}

/** The ticket id (the first positional) and the rest of the positionals. */
export function ticketArgs(input: CommandInput, rest: 'none' | 'one' | 'text'): { id: number; args: string[] } {
  const [idText, ...args] = input.positionals;
  const id = Number(idText);
  if (idText === undefined || !Number.isSafeInteger(id) || id < 1) throw new UsageError('expected a ticket ID (see `tickets`)');
  if (rest === 'none' && args.length > 0) throw new UsageError(`unexpected argument: ${args[0]}`);
  if (rest === 'one' && args.length !== 1) throw new UsageError('expected the ticket ID and one more argument');
  if (rest === 'text' && args.join(' ').trim() === '') throw new UsageError('expected the ticket ID and the text');
  return { id, args };
}

/** The alert engine over `store`, with the rules and desks the config names (as `serve` loads them). */
function engineFor(store: Store, config: Config): AlertEngine {
  const rules = loadRules(config.rules.file || undefined, { includeDefaults: config.rules.defaults });
  const desks = loadDesks(config.desks.file);
  const log = {
    warn: (obj: object, msg: string) => process.stderr.write(`${msg} ${JSON.stringify(obj)}\n`),
    error: (obj: object, msg: string) => process.stderr.write(`${msg} ${JSON.stringify(obj)}\n`),
  };
  const transitions = storeTransitions(store, desks);
  return createAlertEngine({ store, rules: () => rules, transitions, log });
}

/** One line about the ticket after an action: id, status, priority and who has it. */
export function ticketLine(t: Ticket): string {
  const who = t.status === 'resolved' ? ` by ${t.resolvedBy}` : t.acknowledgedBy ? ` (acknowledged by ${t.acknowledgedBy})` : '';
  return `ticket ${t.id} ${t.status}${who}, ${t.priority}: ${t.title}`;
}

/**
 * A ticket action command: parses `ID ...` with `parse`, refuses what the API refuses (409 there, exit 1 here),
 * acts through the engine as `--by`, prints the ticket's line (and `after`'s lines); exit 0.
 */
export function ticketCommand(o: {
  usage: string;
  summary: string;
  options?: Command['options'];
  parse: (input: CommandInput) => { id: number; action: TicketAction };
  after?: (engine: AlertEngine, ticket: Ticket) => void;
}): Command {
  return {
    usage: `${o.usage} [--by NAME] [--config FILE]`,
    summary: o.summary,
    options: { ...CONFIG_OPTION, ...BY_OPTION, ...o.options },
    run: (input) =>
      withStore(input, (store, config) => {
        const { id, action } = o.parse(input);
        const by = actorOf(input);
        const ticket = store.tickets.get(id);
        if (!ticket) return fail(`unknown ticket: ${id} (see \`tickets\`)`);
        if (action.kind === 'reopen') {
          if (ticket.status !== 'resolved') return fail(`ticket ${id} is not resolved`);
          const other = store.tickets.findOpen(ticket.tenant, ticket.agentId, ticket.ruleId);
          if (other) return fail(`ticket ${id} cannot be reopened: ticket ${other.id} is open for the same agent and rule`);
        } else if (ticket.status === 'resolved' && action.kind !== 'note') return fail(`ticket ${id} is resolved`);
        const engine = engineFor(store, config);
        const next = engine.act(id, action, by)!;
        process.stdout.write(`${ticketLine(next)}${next === ticket ? ' (unchanged)' : ''}\n`);
        o.after?.(engine, next);
        return 0;
      }),
  };
}

function fail(message: string): number {
  process.stderr.write(`${message}\n`);
  return 1;
}
