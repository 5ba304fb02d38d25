// watchpost-agent uninstall: stop and remove the service and what install made; the state directory (identity,
// spool) and logs stay unless --purge.
import { UsageError } from '../base/errors.js';
import { uninstallAgent } from '../service/uninstaller.js';
import { checkRights, isReportable, processDeps, type ServiceCommandDeps } from './install.js';
import type { Command } from './command.js';

export function createUninstallCommand(overrides: Partial<ServiceCommandDeps> = {}): Command {
  const deps: ServiceCommandDeps = { ...processDeps, ...overrides };
  return {
    usage: '[--purge] [--root DIR]',
    summary: 'stop and remove the service and what install made; --purge also removes the state (identity, spool) and logs',
    options: { purge: { type: 'boolean' }, root: { type: 'string' } },
    async run({ values, positionals }) {
      if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
      const say = (line: string) => deps.out(line);
      try {
        const platform = await checkRights('uninstall', values, deps);
        const found = await uninstallAgent(
          { root: values.root as string | undefined, purge: !!values.purge },
          { platform, env: deps.env, runner: deps.runner, say },
        );
        say(found ? 'uninstalled watchpost-agent' : 'watchpost-agent is not installed; nothing to remove');
        return 0;
      } catch (error) {
        if (!isReportable(error)) throw error;
        deps.err(`watchpost-agent uninstall: ${error.message}`);
        return 1;
      }
    },
  };
}

export const uninstall = createUninstallCommand();
