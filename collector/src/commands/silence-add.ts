import { silenceFromRequest } from '../alerting/hold-input.js';
import { UsageError } from '../errors.js';
import { CONFIG_OPTION, type Command } from './command.js';
import { withStore } from './context.js';
import { cliActor, flag, flagErrors, noPositionals } from './hold-common.js';
import { isoTime } from './table.js';

const FLAGS = ['tenant', 'host', 'rule', 'comment', 'start', 'end', 'duration'] as const;

export const silenceAdd: Command = {
  usage: '--tenant ID [--host H] [--rule R] [--start ISO] (--duration 2h | --end ISO) --comment TEXT [--config FILE]',
  summary: 'silence a tenant, host and/or rule for a while (no tickets); prints its id',
  options: { ...CONFIG_OPTION, ...Object.fromEntries(FLAGS.map((f) => [f, { type: 'string' }])) },
  run: (input) =>
    withStore(input, (store) => {
      noPositionals(input.positionals);
      const v = Object.fromEntries(FLAGS.map((f) => [f, flag(input.values[f])]));
      if (!v.tenant) throw new UsageError('--tenant is required');
      if (!v.comment) throw new UsageError('--comment is required');
      const { rule, ...rest } = v;
      const request = { ...rest, tenant: v.tenant, comment: v.comment, ...(rule ? { ruleId: rule } : {}) };
      const silence = flagErrors(() => store.maintenance.addSilence(silenceFromRequest(request, Date.now(), cliActor())));
      process.stdout.write(silence.id + '\n');
      const what = [silence.host ? `host ${silence.host}` : 'every host', silence.ruleId ? `rule ${silence.ruleId}` : 'every rule'].join(', ');
      process.stderr.write(`silence for tenant ${silence.tenant} (${what}) from ${isoTime(silence.startsAt)} to ${isoTime(silence.endsAt)}\n`);
      return 0;
    }),
};
