// The contract suite's harness for HaloPSA: the fake of fakes/halopsa.ts (OAuth2 token endpoint and the ticket
// endpoints), and the connector made from settings that point at it.
import { halopsa, type HaloSettings } from '../../../../collector/src/desks/connectors/halopsa.js';
import type { ContractHarness } from '../connector-contract.js';
import { HALO_APP, haloTestSettings, startHaloFake } from '../fakes/halopsa.js';

/** The closed status_id the connector sets by default. */
const CLOSED = 9;

export const halopsaHarness: ContractHarness = {
  async start() {
    const halo = await startHaloFake();
    const settings = haloTestSettings(halo);
    const make = (over: Partial<HaloSettings> = {}) => halopsa.create({ ...settings, ...over }, { fetch: globalThis.fetch, now: Date.now });
    const isTickets = (r: { path: string }) => r.path === '/api/Tickets';
    return {
      connector: () => make(),
      badCredentials: () => ({ connector: make({ client_secret: 'wrong-client-secret-0000' }), leaks: ['wrong-client-secret-0000'] }),
      secrets: [HALO_APP.clientSecret],
      tickets: () => halo.tickets.size,
      isResolved: (id) => halo.tickets.get(Number(id))?.status_id === CLOSED,
      notes: (id) => halo.actions.filter((a) => a.ticket_id === Number(id)).map((a) => a.note),
      isSearch: (r) => r.method === 'GET' && isTickets(r),
      isCreate: (r) => r.method === 'POST' && isTickets(r) && Array.isArray(r.json) && (r.json[0] as { id?: unknown } | undefined)?.id === undefined,
      failNext: (match, fault) => halo.failNext(match, fault),
      close: () => halo.close(),
    };
  },
};
