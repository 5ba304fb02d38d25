// watchpost-collector av actions --tenant T [--host H]: the tenant's Defender action requests, newest first: who asked
// (the schedule, a person, the definitions-age rule), when it was sent, and the result the agent reported.
import { hostnameKey, type AvActionRequest } from '../store/index.js';
import { CONFIG_OPTION, type Command } from './command.js';
import { withStore } from './context.js';
import { flag, knownTenant, noPositionals } from './hold-common.js';
import { isoTime, printJson, printTable } from './table.js';

function result(r: AvActionRequest): string {
  if (r.status !== 'succeeded' && r.status !== 'failed') return '';
  const code = r.code !== null ? ` 0x${(r.code >>> 0).toString(16).toUpperCase().padStart(8, '0')}` : '';
  const sigs = r.signatureVersion ? ` signatures ${r.signatureVersion}${r.signatureUpdated !== null ? ` of ${isoTime(r.signatureUpdated)}` : ''}` : '';
  return `${code}${r.detail ? ` ${r.detail}` : ''}${sigs}`.trim();
}

export const avActions: Command = {
  usage: '--tenant ID [--host H] [--json] [--config FILE]',
  summary: "a tenant's Defender action requests (schedule, people, before a ticket) with their results, newest first",
  options: { ...CONFIG_OPTION, tenant: { type: 'string' }, host: { type: 'string' }, json: { type: 'boolean' } },
  run: (input) =>
    withStore(input, (store) => {
      noPositionals(input.positionals);
      const tenant = knownTenant(store, flag(input.values.tenant));
      const host = flag(input.values.host);
      let list = store.avActions.list({ tenant });
      if (host !== undefined) list = list.filter((r) => hostnameKey(r.host) === hostnameKey(host));
      if (input.values.json) {
        printJson(list);
        return 0;
      }
      const rows = [['ID', 'HOST', 'ACTION', 'BY', 'ASKED', 'SENT', 'STATUS', 'RESULT']];
      for (const r of list)
        rows.push([r.id, r.host, r.action, r.origin === 'person' ? r.by! : r.origin, isoTime(r.askedAt), isoTime(r.sentAt), r.status, result(r)]);
      printTable(rows);
      return 0;
    }),
};
