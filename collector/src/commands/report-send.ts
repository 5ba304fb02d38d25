// report send --tenant T --month YYYY-MM [--force]: mails the tenant's monthly report now, as the schedule would
// (terms.report in the rules file, through its email desk), and records it: a month already sent is not mailed
// again without --force. One attempt: a refusal that may pass later is recorded as pending, which a running
// collector retries while the month is the one due.
import { loadRules } from '../alerting/rules/rules-file.js';
import { loadDesks } from '../desks/desks-file.js';
import { ConfigError, UsageError } from '../errors.js';
import { deliverReport, ReportDeliveryError, type DeliveryLog } from '../reports/delivery.js';
import { createPdfPrinter, type PdfPrinter } from '../reports/print.js';
import { ReportError } from '../reports/report.js';
import { CONFIG_OPTION, type Command } from './command.js';
import { withStore } from './context.js';
import { flag, noPositionals } from './hold-common.js';
import { isoTime } from './table.js';

/** The outcome is printed; the delivery's own log lines go to stderr. */
const stderrLog: DeliveryLog = {
  info: () => {},
  warn: (obj, msg) => process.stderr.write(`${msg} ${JSON.stringify(obj)}\n`),
  error: (obj, msg) => process.stderr.write(`${msg} ${JSON.stringify(obj)}\n`),
};

export const reportSend: Command = {
  usage: '--tenant ID --month YYYY-MM [--force] [--config FILE]',
  summary: "mail a tenant's monthly report now to its terms.report recipients, and record it (--force: again)",
  options: { ...CONFIG_OPTION, tenant: { type: 'string' }, month: { type: 'string' }, force: { type: 'boolean' } },
  run: (input) =>
    withStore(input, async (store, config) => {
      noPositionals(input.positionals);
      const tenant = flag(input.values.tenant);
      const month = flag(input.values.month);
      if (!tenant) throw new UsageError('--tenant: required');
      if (!month) throw new UsageError('--month: required (YYYY-MM)');
      const rules = loadRules(config.rules.file || undefined, { includeDefaults: config.rules.defaults });
      const desks = loadDesks(config.desks.file);
      let printer: PdfPrinter | undefined;
      try {
        const outcome = await deliverReport(
          {
            store,
            rules,
            desks,
            desksFile: config.desks.file,
            log: stderrLog,
            publicUrl: config.server.publicUrl,
            printer: () => (printer ??= createPdfPrinter()),
          },
          { tenant, month, now: Date.now(), force: input.values.force === true },
        );
        const d = outcome.delivery;
        if (outcome.kind === 'sent') {
          process.stdout.write(`sent ${tenant} ${month} to ${d!.recipients.join(', ')} (${d!.messageId})\n`);
          return 0;
        }
        if (outcome.kind === 'skipped') {
          const why =
            d?.state === 'sent'
              ? `already sent ${isoTime(d.sentAt)}; --force sends it again`
              : `${d?.state ?? 'pending'}, being sent or waiting for its retry at ${isoTime(d?.nextAttemptAt)}; --force sends it now`;
          process.stdout.write(`not sent: ${tenant} ${month} is ${why}\n`);
          return 1;
        }
        process.stdout.write(`not sent (${outcome.kind === 'failed' ? 'refused' : 'may pass later'}): ${outcome.reason}\n`);
        return 1;
      } catch (error) {
        if (error instanceof ReportError) throw new UsageError(error.message);
        if (error instanceof ReportDeliveryError) throw new ConfigError(error.message);
        throw error;
      } finally {
        await printer?.close();
      }
    }),
};
