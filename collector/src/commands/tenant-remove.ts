// watchpost-collector tenant remove ID [--force]: the MSP no longer serves this client. In one transaction:
// 1. refused (exit 1, nothing changed) while the tenant has live agents (not revoked), unless --force, which revokes
//    them: a running `serve` on this data directory disconnects them within the revocation poll and their
//    reconnects get 401;
// 2. its enrollment tokens and API keys are revoked (kept, marked revoked: who had access stays on record);
// 3. its unresolved tickets are resolved by the CLI user with a note saying why, told to InfluxDB and to the
//    tenant's service desks like any resolution (queued in the store's outboxes; a running `serve` delivers them),
//    so no desk ticket is left open for a client that is gone;
// 4. the tenant is marked removed. Its id is never reused.
// Kept, as the MSP's contract records require: the tenant, its agents (revoked), tickets with their events and SLA
// clocks, desk deliveries, maintenance windows and silences. Its points in InfluxDB age out with the retention policy.
// The desks file is read first, as `serve` reads it: when it cannot be (its ${ENV} secrets missing), nothing changes.
import { REVOCATION_POLL_MS } from '../agent-link/revocation-watcher.js';
import { loadDesks, NO_DESKS } from '../desks/desks-file.js';
import { MAX_LIST_LIMIT, type Store } from '../store/index.js';
import { resolveTicket } from '../tickets/lifecycle.js';
import { CONFIG_OPTION, type Command } from './command.js';
import { singleId, storeTransitions, withStore } from './context.js';
import { agentStatuses } from './agents.js';
import { cliActor } from './hold-common.js';
import { isoTime, printJson } from './table.js';
import { mustGetTenant } from './tenant-summary.js';

export interface TenantRemoval {
  tenant: string;
  removedAt: number;
  agentsRevoked: string[];
  ticketsResolved: number[];
  tokensRevoked: string[];
  apiKeysRevoked: string[];
  /** The desks told of the resolutions. */
  desksTold: string[];
}

/** Everything step 2-4 of the file comment does, in one transaction; the caller has checked step 1. */
function removeTenant(store: Store, id: string, desks: ReturnType<typeof loadDesks>, by: string, now: number): TenantRemoval {
  const transitions = storeTransitions(store, desks);
  return store.transaction(() => {
    const agentsRevoked = store.agents
      .list(id)
      .filter((a) => a.revokedAt === null)
      .map((a) => a.id);
    for (const agentId of agentsRevoked) store.agents.revoke(agentId);
    const tokensRevoked = store.tokens
      .list(id)
      .filter((t) => t.revokedAt === null)
      .map((t) => t.id);
    for (const tokenId of tokensRevoked) store.tokens.revoke(tokenId);
    const apiKeysRevoked = store.apiKeys
      .list()
      .filter((k) => k.tenant === id && k.revokedAt === null)
      .map((k) => k.id);
    for (const keyId of apiKeysRevoked) store.apiKeys.revoke(keyId);
    const detail = `resolved: tenant ${id} removed by ${by}`;
    const ticketsResolved: number[] = [];
    // Each page is resolved before the next is read, so the unresolved list shrinks until it is empty.
    for (let page = store.tickets.list({ tenant: id, status: 'unresolved', limit: MAX_LIST_LIMIT }); page.length > 0;) {
      for (const ticket of page) {
        transitions.ticket({ ticket: resolveTicket(store.tickets, ticket, by, now, detail), kind: 'resolved', detail });
        ticketsResolved.push(ticket.id);
      }
      page = store.tickets.list({ tenant: id, status: 'unresolved', limit: MAX_LIST_LIMIT });
    }
    store.tenants.markRemoved(id, now);
    const desksTold =
      ticketsResolved.length === 0
        ? []
        : desks
            .routes(id)
            .filter((r) => r.events.has('resolved'))
            .map((r) => r.desk);
    return { tenant: id, removedAt: now, agentsRevoked, ticketsResolved, tokensRevoked, apiKeysRevoked, desksTold };
  });
}

export const tenantRemove: Command = {
  usage: 'ID [--force] [--json] [--config FILE]',
  summary: 'remove a tenant: revokes its tokens, keys (and with --force its agents), resolves its tickets; keeps its history',
  options: { ...CONFIG_OPTION, force: { type: 'boolean' }, json: { type: 'boolean' } },
  run: (input) =>
    withStore(input, (store, config) => {
      const id = singleId(input, 'tenant ID', 'tenant list');
      const tenant = mustGetTenant(store, id);
      if (tenant.removedAt !== null) {
        process.stderr.write(`tenant ${id} was already removed ${isoTime(tenant.removedAt)}; nothing changed\n`);
        return 0;
      }
      const live = agentStatuses(store, config, id).filter((a) => a.revokedAt === null);
      if (live.length > 0 && !input.values.force) {
        const online = live.filter((a) => a.online).length;
        process.stderr.write(
          `tenant ${id} has ${live.length} live agent(s) (${online} online): revoke them (\`agent revoke ID\`, see \`agents --tenant ${id}\`) ` +
            'or pass --force to revoke them with the tenant; nothing changed\n',
        );
        return 1;
      }
      const desks = config.desks.file ? loadDesks(config.desks.file) : NO_DESKS;
      const removal = removeTenant(store, id, desks, cliActor(), Date.now());
      if (input.values.json) {
        printJson(removal);
        return 0;
      }
      const told = removal.desksTold.length > 0 ? ` (told to ${removal.desksTold.join(', ')})` : '';
      process.stdout.write(`tenant ${id} removed\n`);
      process.stdout.write(`agents revoked: ${removal.agentsRevoked.length}\n`);
      process.stdout.write(`tickets resolved: ${removal.ticketsResolved.length}${told}\n`);
      process.stdout.write(`enrollment tokens revoked: ${removal.tokensRevoked.length}\n`);
      process.stdout.write(`API keys revoked: ${removal.apiKeysRevoked.length}\n`);
      if (removal.agentsRevoked.length > 0) {
        process.stderr.write(`a running collector on this data directory disconnects its agents within ${REVOCATION_POLL_MS / 1000} s\n`);
      }
      process.stderr.write('kept: the tenant record, its agents (revoked), tickets and their history, desk deliveries, maintenance windows and silences\n');
      return 0;
    }),
};
