// report deliveries [--tenant T] [--state S] [--json]: the monthly reports mailed or tried (store/report-deliveries.ts),
// newest month first: state, attempts, when sent, the Message-ID, who it went to, and the last error.
import { UsageError } from '../errors.js';
import { REPORT_DELIVERY_STATES, type ReportDeliveryState } from '../store/index.js';
import { CONFIG_OPTION, type Command } from './command.js';
import { withStore } from './context.js';
import { flag, noPositionals } from './hold-common.js';
import { isoTime, printJson, printTable } from './table.js';

export const reportDeliveries: Command = {
  usage: '[--tenant ID] [--state pending|sent|failed] [--json] [--config FILE]',
  summary: 'list the monthly reports mailed or tried: state, attempts, Message-ID, recipients, last error',
  options: { ...CONFIG_OPTION, tenant: { type: 'string' }, state: { type: 'string' }, json: { type: 'boolean' } },
  run: (input) =>
    withStore(input, (store) => {
      noPositionals(input.positionals);
      const tenant = flag(input.values.tenant);
      const state = flag(input.values.state) as ReportDeliveryState | undefined;
      if (state !== undefined && !REPORT_DELIVERY_STATES.includes(state))
        throw new UsageError(`--state: expected ${REPORT_DELIVERY_STATES.join(', ')}; got "${state}"`);
      const list = store.reportDeliveries.list({ ...(tenant ? { tenant } : {}), ...(state ? { state } : {}) });
      if (input.values.json) {
        printJson(list);
        return 0;
      }
      const rows = [['TENANT', 'MONTH', 'STATE', 'ATTEMPTS', 'SENT', 'MESSAGE-ID', 'RECIPIENTS', 'LAST ERROR']];
      for (const d of list) {
        rows.push([d.tenant, d.month, d.state, String(d.attempts), isoTime(d.sentAt), d.messageId ?? '-', d.recipients.join(', '), d.lastError ?? '-']);
      }
      printTable(rows);
      return 0;
    }),
};
