// Push samples shared by the inbound tests (sources in vendors.test.ts).

/** Atlassian's documented jira:issue_updated shape (trimmed): a status change To Do -> In Progress. */
export function jiraIssueUpdated(key: string, to: { name: string; category: string }, from = 'To Do', extra: object[] = []) {
  return {
    timestamp: Date.parse('2026-11-23T09:30:00Z'),
    webhookEvent: 'jira:issue_updated',
    issue_event_type_name: 'issue_generic',
    user: {
      self: 'https://acme.atlassian.net/rest/api/2/user?accountId=5b10a2844c20165700ede21g',
      accountId: '5b10a2844c20165700ede21g',
      displayName: 'Mia Krystof',
    },
    issue: {
      id: '10002',
      self: 'https://acme.atlassian.net/rest/api/2/10002',
      key,
      fields: { summary: 'Disk space on db-1', status: { name: to.name, statusCategory: { key: to.category } }, priority: { name: 'High' } },
    },
    changelog: {
      id: '10040',
      items: [{ field: 'status', fieldtype: 'jira', fieldId: 'status', from: '10000', fromString: from, to: '3', toString: to.name }, ...extra],
    },
  };
}
