import { CONFIG_OPTION, type Command } from './command.js';
import { withStore } from './context.js';
import { isoTime, printJson, printTable } from './table.js';

export const agents: Command = {
  usage: '[--json] [--config FILE]',
  summary: 'list enrolled agents, revoked ones included',
  options: { ...CONFIG_OPTION, json: { type: 'boolean' } },
  run: (input) =>
    withStore(input, (store) => {
      const list = store.agents.list();
      if (input.values.json) {
        printJson(list);
        return 0;
      }
      const rows = [['AGENT', 'TENANT', 'HOST', 'OS', 'VERSION', 'LAST SEEN', 'LAST ACK', 'STATE']];
      for (const a of list) {
        const state = a.revokedAt ? `revoked ${isoTime(a.revokedAt)}` : 'active';
        // A machine that calls itself otherwise than its bound name shows both: rename it, or find out why.
        const host = a.reportedHostname ? `${a.hostname} (reports ${a.reportedHostname})` : a.hostname;
        rows.push([a.id, a.tenant, host, `${a.os}/${a.arch}`, a.agentVersion, isoTime(a.lastSeenAt), String(a.lastAckedSeq), state]);
      }
      printTable(rows);
      return 0;
    }),
};
