// report --tenant T --month YYYY-MM: the monthly client report (collector/src/reports/) as HTML or PDF, written to
// a file (default watchpost-report-T-YYYY-MM.html in the current directory) or, with --out -, to stdout.
import { writeFileSync } from 'node:fs';
import { loadRules } from '../alerting/rules/rules-file.js';
import { UsageError } from '../errors.js';
import { createReportInflux } from '../reports/influx-reader.js';
import { createPdfPrinter } from '../reports/print.js';
import { makeReport, REPORT_FORMATS, ReportError, type ReportFormat } from '../reports/report.js';
import { CONFIG_OPTION, type Command } from './command.js';
import { withStore } from './context.js';
import { flag, noPositionals } from './hold-common.js';

export const report: Command = {
  usage: '--tenant ID --month YYYY-MM [--format html|pdf] [--out FILE|-] [--config FILE]',
  summary: "write a tenant's monthly client report (SLA, tickets, breaches, minimum standards, patches, antivirus and backup, trend)",
  options: { ...CONFIG_OPTION, tenant: { type: 'string' }, month: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' } },
  run: (input) =>
    withStore(input, async (store, config) => {
      noPositionals(input.positionals);
      const tenant = flag(input.values.tenant);
      const month = flag(input.values.month);
      if (!tenant) throw new UsageError('--tenant: required');
      if (!month) throw new UsageError('--month: required (YYYY-MM)');
      const format = (flag(input.values.format) ?? 'html') as ReportFormat;
      if (!REPORT_FORMATS.includes(format)) throw new UsageError(`--format: expected html or pdf; got "${format}"`);
      const out = flag(input.values.out) ?? `watchpost-report-${tenant}-${month}.${format}`;
      const rules = loadRules(config.rules.file || undefined, { includeDefaults: config.rules.defaults });
      const printer = format === 'pdf' ? createPdfPrinter() : undefined;
      let body: string | Buffer;
      try {
        body = await makeReport(
          { store, rules, influx: createReportInflux(config.influx) },
          { tenant, month, format, now: Date.now() },
          printer && (() => printer),
        );
      } catch (error) {
        if (error instanceof ReportError) throw new UsageError(error.message);
        throw error;
      } finally {
        await printer?.close();
      }
      if (out === '-') process.stdout.write(body);
      else {
        writeFileSync(out, body);
        process.stdout.write(`wrote ${out}\n`);
      }
      return 0;
    }),
};
