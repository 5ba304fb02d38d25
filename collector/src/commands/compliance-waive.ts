// watchpost-collector compliance waive: an exception to a minimum standard, for one host (--host) or the whole tenant,
// agreed by --by for --reason until --expires (a date, through that day UTC; an ISO time; or a duration like 90d,
// at most two years ahead). The serving collector applies it at its next compliance tick (within 5 minutes); the
// API (POST /api/v1/compliance/waivers) applies it at once.
import { COMPLIANCE_TICK_MS } from '../compliance/engine.js';
import { createWaiver } from '../compliance/waivers.js';
import { CONFIG_OPTION, type Command } from './command.js';
import { withStore } from './context.js';
import { addFlags, flagErrors, knownTenant, stringOptions } from './hold-common.js';
import { isoTime } from './table.js';

const FLAGS = ['tenant', 'host', 'standard', 'reason', 'by', 'expires'] as const;

export const complianceWaive: Command = {
  usage: '--tenant ID [--host H] --standard S --reason TEXT --by NAME --expires 2027-03-31|90d [--config FILE]',
  summary: 'waive a minimum standard for a host or a whole tenant, under a written agreement, until a date; prints its id',
  options: { ...CONFIG_OPTION, ...stringOptions(FLAGS) },
  run: (input) =>
    withStore(input, (store) => {
      const v = addFlags(input, FLAGS, ['tenant', 'standard', 'reason', 'by', 'expires']);
      knownTenant(store, v.tenant);
      const request = { tenant: v.tenant, standard: v.standard, reason: v.reason, expires: v.expires, ...(v.host ? { host: v.host } : {}) };
      const waiver = flagErrors(() => createWaiver(store, request, v.by, Date.now()));
      process.stdout.write(`${waiver.id}\n`);
      const scope = waiver.host ? `host ${waiver.host}` : 'every host';
      process.stderr.write(
        `waiver ${waiver.id}: ${waiver.standard} for ${scope} of ${waiver.tenant} until ${isoTime(waiver.expiresAt)}; ` +
          `the serving collector applies it within ${COMPLIANCE_TICK_MS / 60_000} minutes\n`,
      );
      return 0;
    }),
};
