// The contract suite's harness for Jira Service Management Cloud: the fake site of fakes/jira.ts, and the connector
// made from settings that point at it.
import { jira, type JiraSettings } from '../../../../collector/src/desks/connectors/jira.js';
import type { ContractHarness } from '../connector-contract.js';
import { JIRA_ACCOUNT, jiraTestSettings, startJiraFake } from '../fakes/jira.js';

const basic = (token: string) => Buffer.from(`${JIRA_ACCOUNT.email}:${token}`).toString('base64');

export const jiraHarness: ContractHarness = {
  async start() {
    const site = await startJiraFake();
    const settings = jiraTestSettings(site);
    const make = (over: Partial<JiraSettings> = {}) => jira.create({ ...settings, ...over }, { fetch: globalThis.fetch, now: Date.now });
    return {
      connector: () => make(),
      badCredentials: () => ({ connector: make({ api_token: 'not-the-token-0000' }), leaks: ['not-the-token-0000', basic('not-the-token-0000')] }),
      secrets: [JIRA_ACCOUNT.apiToken, basic(JIRA_ACCOUNT.apiToken)],
      tickets: () => site.issues.size,
      isResolved: (key) => site.issues.get(key)?.status === 'Resolved',
      notes: (key) => site.issues.get(key)?.comments.map((c) => c.body) ?? [],
      isSearch: (r) => r.method === 'GET' && r.path === '/rest/api/3/search/jql',
      isCreate: (r) => r.method === 'POST' && r.path === '/rest/servicedeskapi/request',
      failNext: (match, fault) => site.failNext(match, fault),
      close: () => site.close(),
    };
  },
};
