import { CONFIG_OPTION, type Command } from './command.js';
import { withStore } from './context.js';

const iso = (ms: number | null | undefined): string => (ms ? new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z') : '-');

export const agents: Command = {
  usage: '[--json] [--config FILE]',
  summary: 'list enrolled agents',
  options: { ...CONFIG_OPTION, json: { type: 'boolean' } },
  run: (input) =>
    withStore(input, (store) => {
      const list = store.agents.list();
      if (input.values.json) {
        process.stdout.write(JSON.stringify(list, null, 2) + '\n');
        return 0;
      }
      const rows = [['AGENT', 'TENANT', 'HOST', 'OS', 'VERSION', 'LAST SEEN', 'LAST ACK', 'STATE']];
      for (const a of list) {
        rows.push([a.id, a.tenant, a.hostname, `${a.os}/${a.arch}`, a.agentVersion, iso(a.lastSeenAt), String(a.lastAckedSeq), a.revokedAt ? 'revoked' : 'active']);
      }
      const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
      for (const r of rows) process.stdout.write(r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd() + '\n');
      return 0;
    }),
};
