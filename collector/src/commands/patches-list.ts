// watchpost-collector patches list --tenant T [--host H] [--state S]: where each update stands on each host, as
// GET /api/v1/patches shows it (patching/status.ts), judged by the rules in force (the config's rules file over the
// default pack, as serve loads it).
import { loadRules } from '../alerting/rules/rules-file.js';
import { PATCH_STATES, patchStatus, type PatchStatusRow } from '../patching/status.js';
import { patchRowView } from '../routes/patches.js';
import { UsageError } from '../errors.js';
import { CONFIG_OPTION, type Command } from './command.js';
import { withStore } from './context.js';
import { flag, knownTenant, noPositionals } from './hold-common.js';
import { isoTime, printJson, printTable } from './table.js';

/** Who decided, or when the automatic approval applies, in a few words. */
function why(r: PatchStatusRow): string {
  const a = r.approval;
  if (a.state === 'excluded') return `excluded by ${a.glob}`;
  if (a.state === 'deferred') return `auto after ${isoTime(a.until)}`;
  if (a.state === 'needs_approval') return 'needs approval';
  if ('auto' in a) return `auto since ${isoTime(a.since)}`;
  return `${a.decision.decision === 'approve' ? 'approved' : 'declined'} by ${a.decision.createdBy} ${isoTime(a.decision.createdAt)}`;
}

export const patchesList: Command = {
  usage: `--tenant ID [--host H] [--state ${PATCH_STATES.join('|')}] [--json] [--config FILE]`,
  summary: "a tenant's pending updates per host: ring, state, who approved or declined them, the last install result",
  options: { ...CONFIG_OPTION, tenant: { type: 'string' }, host: { type: 'string' }, state: { type: 'string' }, json: { type: 'boolean' } },
  run: (input) =>
    withStore(input, (store, config) => {
      noPositionals(input.positionals);
      const tenant = knownTenant(store, flag(input.values.tenant));
      const host = flag(input.values.host);
      const state = flag(input.values.state);
      if (state !== undefined && !(PATCH_STATES as readonly string[]).includes(state))
        throw new UsageError(`--state: expected one of ${PATCH_STATES.join(', ')}`);
      const rules = loadRules(config.rules.file || undefined, { includeDefaults: config.rules.defaults });
      if (!rules.terms(tenant).patches) process.stderr.write(`tenant ${tenant} has no terms.patches in the rules file: no patch management\n`);
      const rows = patchStatus(store, rules, tenant, Date.now()).filter(
        (r) => (host === undefined || r.update.host.toLowerCase() === host.toLowerCase()) && (state === undefined || r.state === state),
      );
      if (input.values.json) {
        printJson(rows.map(patchRowView));
        return 0;
      }
      const table = [['HOST', 'UPDATE', 'RING', 'STATE', 'WHY', 'LAST RESULT', 'TITLE']];
      for (const r of rows) {
        const last = r.lastResult ? `${r.lastResult.outcome} ${isoTime(r.lastResult.at)}` : '-';
        table.push([r.update.host, r.update.key, r.ring, r.state, why(r), last, r.update.title]);
      }
      printTable(table);
      return 0;
    }),
};
