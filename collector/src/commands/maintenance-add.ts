import { windowFromRequest } from '../alerting/hold-input.js';
import { CONFIG_OPTION, type Command } from './command.js';
import { withStore } from './context.js';
import { addFlags, cliActor, flagErrors, stringOptions } from './hold-common.js';
import { isoTime } from './table.js';

const FLAGS = ['tenant', 'site', 'host', 'reason', 'start', 'end', 'duration', 'cron', 'timezone', 'until'] as const;

export const maintenanceAdd: Command = {
  usage:
    '--tenant ID [--host H | --site S] [--start ISO] (--end ISO | --duration 2h | --cron EXPR --duration 4h --timezone TZ [--until ISO]) --reason TEXT [--config FILE]',
  summary: 'add a maintenance window (one-off, or recurring by cron in a time zone); prints its id',
  options: { ...CONFIG_OPTION, ...stringOptions(FLAGS) },
  run: (input) =>
    withStore(input, (store) => {
      const v = addFlags(input, FLAGS, ['tenant', 'reason']);
      const request = { ...v, tenant: v.tenant, reason: v.reason };
      const window = flagErrors(() => store.maintenance.addWindow(windowFromRequest(request, Date.now(), cliActor())));
      process.stdout.write(window.id + '\n');
      const scope = window.host ? `host ${window.host}` : window.site ? `site ${window.site}` : 'the whole tenant';
      const when = window.recurrence
        ? `"${window.recurrence.cron}" (${window.recurrence.timezone}) from ${isoTime(window.startsAt)}${window.endsAt ? ` until ${isoTime(window.endsAt)}` : ''}`
        : `${isoTime(window.startsAt)} to ${isoTime(window.endsAt)}`;
      process.stderr.write(`maintenance window for tenant ${window.tenant}, ${scope}: ${when}; a running collector applies it at its next check\n`);
      return 0;
    }),
};
