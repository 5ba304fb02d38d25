// The contract suite's harness for ServiceNow: the fake instance of fakes/servicenow.ts (Table API on incident),
// and the connector made from settings that point at it.
import { servicenow, type ServiceNowSettings } from '../../../../collector/src/desks/connectors/servicenow.js';
import type { ContractHarness } from '../connector-contract.js';
import { SN_USER, snTestSettings, startServiceNowFake } from '../fakes/servicenow.js';

const basic = (password: string) => Buffer.from(`${SN_USER.username}:${password}`).toString('base64');
const INCIDENTS = '/api/now/table/incident';
/** Resolved, in the incident state model (the connector's default resolved_state). */
const RESOLVED = '6';

export const servicenowHarness: ContractHarness = {
  async start() {
    const sn = await startServiceNowFake();
    const settings = snTestSettings(sn);
    const make = (over: Partial<ServiceNowSettings> = {}) => servicenow.create({ ...settings, ...over }, { fetch: globalThis.fetch, now: Date.now });
    return {
      connector: () => make(),
      badCredentials: () => ({ connector: make({ password: 'wrong-password-0000' }), leaks: ['wrong-password-0000', basic('wrong-password-0000')] }),
      secrets: [SN_USER.password, basic(SN_USER.password)],
      tickets: () => sn.incidents.size,
      isResolved: (id) => sn.incidents.get(id)?.state === RESOLVED,
      notes: (id) => sn.incidents.get(id)?.work_notes ?? [],
      isSearch: (r) => r.method === 'GET' && r.path === INCIDENTS,
      isCreate: (r) => r.method === 'POST' && r.path === INCIDENTS,
      failNext: (match, fault) => sn.failNext(match, fault),
      close: () => sn.close(),
    };
  },
};
