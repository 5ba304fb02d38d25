// The contract suite's harness for ConnectWise PSA: the fake of fakes/connectwise.ts with one board, company and
// the priorities as commonly shipped, and the connector made from settings that point at it.
import { connectwise, type ConnectWiseSettings } from '../../../../collector/src/desks/connectors/connectwise.js';
import type { ContractHarness } from '../connector-contract.js';
import { API_PATH, startFakeConnectWise, type CwInstance } from '../fakes/connectwise.js';

const PRIVATE_KEY = 'cw-private-key-5f3a9c1e';
const CLIENT_ID = '0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6';
const INSTANCE: CwInstance = {
  companyId: 'acmemsp',
  publicKey: 'cw-public-key-77',
  privateKey: PRIVATE_KEY,
  clientId: CLIENT_ID,
  // The models the connector pins in its Accept header (the fake refuses any other version).
  apiVersion: '2025.16',
  board: 'Alerts',
  statuses: ['New', 'In Progress', 'Completed', 'Re-Opened'],
  priorities: ['Priority 1 - Emergency Response', 'Priority 2 - Quick Response', 'Priority 3 - Normal Response', 'Priority 4 - Scheduled Maintenance'],
  companies: ['ACME'],
};
const TICKETS = `${API_PATH}service/tickets`;
const basic = (privateKey: string) => Buffer.from(`${INSTANCE.companyId}+${INSTANCE.publicKey}:${privateKey}`).toString('base64');

export const connectwiseHarness: ContractHarness = {
  async start() {
    const cw = await startFakeConnectWise(INSTANCE);
    const settings: ConnectWiseSettings = {
      site_url: cw.url,
      company_id: INSTANCE.companyId,
      public_key: INSTANCE.publicKey,
      private_key: PRIVATE_KEY,
      client_id: CLIENT_ID,
      board: INSTANCE.board,
      company: 'ACME',
    };
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
