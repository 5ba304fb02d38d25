// watchpost-collector compliance waivers --tenant T: the tenant's exceptions to the minimum standards in force now,
// or every one ever made with --all (revoked and expired ones are kept: the monthly report shows which held when).
import type { Waiver } from '../store/index.js';
import { CONFIG_OPTION, type Command } from './command.js';
import { withStore } from './context.js';
import { flag, knownTenant, noPositionals } from './hold-common.js';
import { isoTime, printJson, printTable } from './table.js';

function state(w: Waiver, now: number): string {
  if (w.revokedAt !== null && w.revokedAt <= now) return `revoked ${isoTime(w.revokedAt)} by ${w.revokedBy}`;
  return now < w.expiresAt ? 'active' : 'expired';
}

export const complianceWaivers: Command = {
  usage: '--tenant ID [--all] [--json] [--config FILE]',
  summary: "a tenant's minimum-standard waivers in force (--all: revoked and expired ones too)",
  options: { ...CONFIG_OPTION, tenant: { type: 'string' }, all: { type: 'boolean' }, json: { type: 'boolean' } },
  run: (input) =>
    withStore(input, (store) => {
      noPositionals(input.positionals);
      const tenant = knownTenant(store, flag(input.values.tenant));
      const now = Date.now();
      const list = store.waivers.list({ tenant, ...(input.values.all ? {} : { activeAt: now }) });
      if (input.values.json) {
        printJson(list.map((w) => ({ ...w, state: state(w, now) })));
        return 0;
      }
      const rows = [['ID', 'HOST', 'STANDARD', 'UNTIL', 'BY', 'STATE', 'REASON']];
      for (const w of list) rows.push([String(w.id), w.host ?? '*', w.standard, isoTime(w.expiresAt), w.createdBy, state(w, now), w.reason]);
      printTable(rows);
      return 0;
    }),
};
