// watchpost-collector silence add: a silence for a tenant, a host and/or a rule. A --rule the rules in force (the
// config's rules file over the default pack, as serve loads it) do not know for the tenant is refused, naming the
// known ids: a misspelled rule would silence nothing.
import { HoldInputError, silenceFromRequest } from '../alerting/hold-input.js';
import { loadRules } from '../alerting/rules/rules-file.js';
import { unknownRuleProblem } from '../alerting/rules/effective.js';
import { CONFIG_OPTION, type Command } from './command.js';
import { withStore } from './context.js';
import { addFlags, cliActor, flagErrors, stringOptions } from './hold-common.js';
import { isoTime } from './table.js';

const FLAGS = ['tenant', 'host', 'rule', 'comment', 'start', 'end', 'duration'] as const;

export const silenceAdd: Command = {
  usage: '--tenant ID [--host H] [--rule R] [--start ISO] (--duration 2h | --end ISO) --comment TEXT [--config FILE]',
  summary: 'silence a tenant, host and/or rule for a while (no tickets); prints its id',
  options: { ...CONFIG_OPTION, ...stringOptions(FLAGS) },
  run: (input) =>
    withStore(input, (store, config) => {
      const v = addFlags(input, FLAGS, ['tenant', 'comment']);
      const { rule, ...rest } = v;
      const request = { ...rest, tenant: v.tenant, comment: v.comment, ...(rule ? { ruleId: rule } : {}) };
      const silence = flagErrors(() => {
        // An unknown tenant is left to the store (its own error); a rule is judged against that tenant's rules.
        if (rule && store.tenants.get(v.tenant)) {
          const problem = unknownRuleProblem(loadRules(config.rules.file || undefined, { includeDefaults: config.rules.defaults }), v.tenant, rule);
          if (problem) throw new HoldInputError('ruleId', problem);
        }
        return store.maintenance.addSilence(silenceFromRequest(request, Date.now(), cliActor()));
      });
      process.stdout.write(silence.id + '\n');
      const what = [silence.host ? `host ${silence.host}` : 'every host', silence.ruleId ? `rule ${silence.ruleId}` : 'every rule'].join(', ');
      process.stderr.write(`silence for tenant ${silence.tenant} (${what}) from ${isoTime(silence.startsAt)} to ${isoTime(silence.endsAt)}\n`);
      return 0;
    }),
};
