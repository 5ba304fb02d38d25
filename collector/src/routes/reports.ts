// GET /api/v1/reports/:tenant/:month.html and .pdf (any API key; a tenant key gets its own tenant's reports only):
// the monthly client report (reports/), made at request time. PDFs are printed by one headless Chromium that starts
// on the first PDF request and stops with the collector; without Chromium a PDF request answers 503 naming the package.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { RuleSet } from '../alerting/rules/rules-file.js';
import { HttpError, httpErrors } from '../errors.js';
import type { ReportInflux } from '../reports/influx-reader.js';
import { ChromiumMissingError, createPdfPrinter, type PdfPrinter } from '../reports/print.js';
import { makeReport, ReportError, type ReportFormat } from '../reports/report.js';
import type { Store } from '../store/index.js';
import { listTenant } from './access.js';

const Params = Type.Object({
  tenant: Type.String({ minLength: 1, maxLength: 255 }),
  file: Type.String({ pattern: '^\\d{4}-\\d{2}\\.(html|pdf)$', description: 'the month and the format: 2026-11.html or 2026-11.pdf' }),
});

const CONTENT_TYPES: Record<ReportFormat, string> = { html: 'text/html; charset=utf-8', pdf: 'application/pdf' };

export interface ReportRouteDeps {
  store: Store;
  rules: () => RuleSet;
  /** Where past months' minimum-standard states are read; without it those sections say unavailable. */
  influx?: ReportInflux;
  now?: () => number;
  /** Default: a printer driving the system's Chromium, started on first use. */
  printer?: PdfPrinter;
}

export function registerReportRoutes(app: FastifyInstance, deps: ReportRouteDeps): void {
  const now = deps.now ?? Date.now;
  const printer = deps.printer ?? createPdfPrinter();
  if (!deps.printer) app.addHook('onClose', () => printer.close());
  app.get<{ Params: Static<typeof Params> }>(
    '/api/v1/reports/:tenant/:file',
    { config: { access: 'read' }, schema: { params: Params } },
    async (request, reply) => {
      const tenant = listTenant(request, request.params.tenant)!;
      const [month, format] = request.params.file.split('.') as [string, ReportFormat];
      try {
        const body = await makeReport({ store: deps.store, rules: deps.rules(), influx: deps.influx }, { tenant, month, format, now: now() }, () => printer);
        return reply.type(CONTENT_TYPES[format]).send(body);
      } catch (error) {
        if (error instanceof ReportError) throw error.code === 'tenant_unknown' ? httpErrors.tenantUnknown(tenant) : httpErrors.invalidArgument(error.message);
        if (error instanceof ChromiumMissingError) throw new HttpError(503, 'chromium_missing', error.message);
        throw error;
      }
    },
  );
}
