// watchpost-collector compliance --tenant T: the minimum-standard verdicts the serving collector recorded in the store
// (compliance/table.ts), as a table with counts per verdict, or as JSON (the same shape as GET /api/v1/compliance).
// A verdict a waiver covers shows "waived until ... (reason)" beside it; the waivers themselves: compliance-waivers.ts.
import { complianceTable } from '../compliance/table.js';
import { CONFIG_OPTION, type Command } from './command.js';
import { withStore } from './context.js';
import { flag, knownTenant, noPositionals } from './hold-common.js';
import { isoTime, printJson, printTable } from './table.js';

export const compliance: Command = {
  usage: '--tenant ID [--host H] [--json] [--config FILE]',
  summary: "a tenant's minimum-standard verdicts per host: pass, fail or unknown, why and since when",
  options: { ...CONFIG_OPTION, tenant: { type: 'string' }, host: { type: 'string' }, json: { type: 'boolean' } },
  run: (input) =>
    withStore(input, (store) => {
      noPositionals(input.positionals);
      const tenant = knownTenant(store, flag(input.values.tenant));
      const table = complianceTable(store, tenant, flag(input.values.host));
      if (input.values.json) {
        printJson(table);
        return 0;
      }
      const rows = [['HOST', 'STANDARD', 'VERDICT', 'SINCE', 'REASON', 'WAIVER']];
      for (const r of table.rows) {
        const waiver = r.waiver ? `waived until ${isoTime(Date.parse(r.waiver.expiresAt))} (${r.waiver.reason})` : '';
        rows.push([r.host, r.standard, r.verdict, isoTime(Date.parse(r.since)), r.reason, waiver]);
      }
      printTable(rows);
      const { pass, fail, unknown } = table.counts;
      const waived = table.rows.filter((r) => r.waiver).length;
      console.log(`\n${tenant}: ${pass} pass, ${fail} fail, ${unknown} unknown${waived ? `; ${waived} of them waived` : ''}`);
      return 0;
    }),
};
