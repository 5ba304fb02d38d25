// The contract suite's harness for Autotask: the fake of fakes/autotask.ts (zone discovery, field information, the
// ticket endpoints) with one company and the picklists of a fresh instance, and the connector made from settings that
// point at its zone discovery.
import { autotask, type AutotaskSettings } from '../../../../collector/src/desks/connectors/autotask.js';
import type { ContractHarness } from '../connector-contract.js';
import { AT_TEST_INSTANCE, atTestSettings, startFakeAutotask } from '../fakes/autotask.js';

/** Complete, in every Autotask instance (a system status). */
const COMPLETE = 5;

export const autotaskHarness: ContractHarness = {
  async start() {
    const at = await startFakeAutotask(AT_TEST_INSTANCE);
    const settings = atTestSettings(at);
    const make = (over: Partial<AutotaskSettings> = {}) => autotask.create({ ...settings, ...over }, { fetch: globalThis.fetch, now: Date.now });
    const ticket = (id: string) => at.tickets.find((t) => String(t.id) === id);
    const path = (r: { path: string }) => r.path.toLowerCase();
    return {
      connector: () => make(),
      badCredentials: () => ({ connector: make({ secret: 'wrong-secret-value-0000' }), leaks: ['wrong-secret-value-0000'] }),
      secrets: [AT_TEST_INSTANCE.secret, AT_TEST_INSTANCE.integrationCode],
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
