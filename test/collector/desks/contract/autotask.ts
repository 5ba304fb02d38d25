// The contract suite's harness for Autotask: the fake of fakes/autotask.ts (zone discovery, field information, the
// ticket endpoints) with one company and the picklists of a fresh instance, and the connector made from settings that
// point at its zone discovery.
import { autotask, type AutotaskSettings } from '../../../../collector/src/desks/connectors/autotask.js';
import type { ContractHarness } from '../connector-contract.js';
import { AT_PICKLISTS, startFakeAutotask, type AtInstance } from '../fakes/autotask.js';

const SECRET = 'at-secret-9b8c7d6e';
const CODE = 'INTEGRATIONCODE27CHARSXXXXX';
const INSTANCE: AtInstance = {
  username: 'watchpost-api@acme-msp.example',
  secret: SECRET,
  integrationCode: CODE,
  companies: [{ id: 175, companyName: 'Acme Corp' }],
  picklists: AT_PICKLISTS,
  udfs: ['Watchpost Key'],
  categoryDueDate: false,
};
/** Complete, in every Autotask instance (a system status). */
const COMPLETE = 5;

export const autotaskHarness: ContractHarness = {
  async start() {
    const at = await startFakeAutotask(INSTANCE);
    const settings: AutotaskSettings = {
      username: INSTANCE.username,
      secret: SECRET,
      integration_code: CODE,
      zone_discovery_url: `${at.url}/atservicesrest/v1.0/ZoneInformation`,
      company_id: 175,
      queue_id: 29683,
    };
    const make = (over: Partial<AutotaskSettings> = {}) => autotask.create({ ...settings, ...over }, { fetch: globalThis.fetch, now: Date.now });
    const ticket = (id: string) => at.tickets.find((t) => String(t.id) === id);
    const path = (r: { path: string }) => r.path.toLowerCase();
    return {
      connector: () => make(),
      badCredentials: () => ({ connector: make({ secret: 'wrong-secret-value-0000' }), leaks: ['wrong-secret-value-0000'] }),
      secrets: [SECRET, CODE],
      tickets: () => at.tickets.length,
      isResolved: (id) => ticket(id)?.status === COMPLETE,
      notes: (id) => ticket(id)?.notes.map((n) => n.description) ?? [],
      isSearch: (r) => r.method === 'POST' && path(r).endsWith('/tickets/query'),
      isCreate: (r) => r.method === 'POST' && path(r).endsWith('/tickets'),
      failNext: (match, fault) => at.failNext(match, fault),
      close: () => at.close(),
    };
  },
};
