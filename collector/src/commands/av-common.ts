// What `av update` and `av scan` share: a person's Defender action for one host, recorded in the store for the
// serving collector to send (its antivirus tick, every minute). The CLI refuses, as the API does, a host that is not
// connected (as the store last recorded it) or whose antivirus runs show no Microsoft Defender that can run actions.
import { parseDuration } from '../config/duration.js';
import { AvRequestError, queuePersonRequest } from '../antivirus/requests.js';
import { AV_TICK_MS } from '../antivirus/manager.js';
import { UsageError } from '../errors.js';
import type { AvActionKind } from '../patching/contract.js';
import { recordedOnline } from '../store/index.js';
import { CONFIG_OPTION, type Command } from './command.js';
import { withStore } from './context.js';
import { addFlags, flagErrors, stringOptions } from './hold-common.js';

const FLAGS = ['tenant', 'host', 'by'] as const;

export function avRequestCommand(action: AvActionKind, summary: string): Command {
  return {
    usage: '--tenant ID --host H --by NAME [--config FILE]',
    summary,
    options: { ...CONFIG_OPTION, ...stringOptions(FLAGS) },
    run: (input) =>
      withStore(input, (store, config) => {
        const v = addFlags(input, FLAGS, ['tenant', 'host', 'by']);
        const now = Date.now();
        const heartbeatMs = parseDuration(config.agents.heartbeat);
        let id: string;
        try {
          id = flagErrors(
            () => queuePersonRequest(store, { tenant: v.tenant, host: v.host, action, by: v.by }, now, (a) => recordedOnline(a, now, heartbeatMs)).id,
          );
        } catch (error) {
          if (!(error instanceof AvRequestError)) throw error;
          if (error.code === 'tenant_unknown' || error.code === 'host_unknown') throw new UsageError(error.message);
          process.stderr.write(`${error.message}\n`);
          return 1;
        }
        process.stdout.write(`${id}\n`);
        process.stderr.write(`${action} for ${v.host} queued; the serving collector sends it within ${AV_TICK_MS / 1000} seconds (see \`av actions\`)\n`);
        return 0;
      }),
  };
}
