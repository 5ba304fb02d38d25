// watchpost-collector compliance unwaive --id N --by NAME: revokes a waiver now (it stays in the history, with who
// revoked it and when). The serving collector falls back to the verdict at its next compliance tick.
import { COMPLIANCE_TICK_MS } from '../compliance/engine.js';
import { UsageError } from '../errors.js';
import { CONFIG_OPTION, type Command } from './command.js';
import { withStore } from './context.js';
import { addFlags, stringOptions } from './hold-common.js';
import { isoTime } from './table.js';

const FLAGS = ['id', 'by'] as const;

export const complianceUnwaive: Command = {
  usage: '--id N --by NAME [--config FILE]',
  summary: 'revoke a minimum-standard waiver now',
  options: { ...CONFIG_OPTION, ...stringOptions(FLAGS) },
  run: (input) =>
    withStore(input, (store) => {
      const v = addFlags(input, FLAGS, ['id', 'by']);
      const found = /^[0-9]{1,15}$/.test(v.id) ? store.waivers.get(Number(v.id)) : null;
      if (!found) throw new UsageError(`--id: unknown waiver ${v.id} (see \`compliance waivers --all\`)`);
      if (found.revokedAt !== null) {
        process.stdout.write(`waiver ${found.id} was already revoked at ${isoTime(found.revokedAt)} by ${found.revokedBy}\n`);
        return 0;
      }
      if (v.by.trim() === '') throw new UsageError('--by: required');
      const waiver = store.waivers.revoke(found.id, v.by, Date.now())!;
      process.stdout.write(`waiver ${waiver.id} revoked\n`);
      process.stderr.write(`the serving collector falls back to the verdict within ${COMPLIANCE_TICK_MS / 60_000} minutes\n`);
      return 0;
    }),
};
