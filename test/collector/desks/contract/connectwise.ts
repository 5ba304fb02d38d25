// The contract suite's harness for ConnectWise PSA: the fake of fakes/connectwise.ts with one board, company and
// the priorities as commonly shipped, and the connector made from settings that point at it.
import { connectwise, type ConnectWiseSettings } from '../../../../collector/src/desks/connectors/connectwise.js';
import type { ContractHarness } from '../connector-contract.js';
import { API_PATH, CW_TEST_INSTANCE as INSTANCE, cwTestSettings, startFakeConnectWise } from '../fakes/connectwise.js';

const { privateKey: PRIVATE_KEY, clientId: CLIENT_ID } = INSTANCE;
const TICKETS = `${API_PATH}service/tickets`;
const basic = (privateKey: string) => Buffer.from(`${INSTANCE.companyId}+${INSTANCE.publicKey}:${privateKey}`).toString('base64');

export const connectwiseHarness: ContractHarness = {
  async start() {
    const cw = await startFakeConnectWise(INSTANCE);
    const settings = cwTestSettings(cw);
    const make = (over: Partial<ConnectWiseSettings> = {}) => connectwise.create({ ...settings, ...over }, { fetch: globalThis.fetch, now: Date.now });
    const ticket = (id: string) => cw.tickets.find((t) => String(t.id) === id);
    return {
      connector: () => make(),
      badCredentials: () => ({
        connector: make({ private_key: 'wrong-private-key-0000' }),
        leaks: ['wrong-private-key-0000', basic('wrong-private-key-0000')],
      }),
      secrets: [PRIVATE_KEY, CLIENT_ID, basic(PRIVATE_KEY)],
      tickets: () => cw.tickets.length,
      isResolved: (id) => ticket(id)?.status === 'Completed',
      notes: (id) => ticket(id)?.notes.map((n) => n.text) ?? [],
      isSearch: (r) => r.method === 'GET' && r.path === TICKETS,
      isCreate: (r) => r.method === 'POST' && r.path === TICKETS,
      failNext: (match, fault) => cw.failNext(match, fault),
      close: () => cw.close(),
    };
  },
};
