// GET /api/v1/compliance?tenant=T[&host=H] (any API key; a tenant key sees its own tenant only): the current
// minimum-standard verdicts, one row per host and standard, with counts per verdict and the waiver beside a verdict
// one covers (compliance/table.ts); and the waivers themselves (compliance-waivers.ts).
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { httpErrors } from '../errors.js';
import { complianceTable } from '../compliance/table.js';
import { listTenant } from './access.js';
import { registerWaiverRoutes, type WaiverRouteDeps } from './compliance-waivers.js';

const Query = Type.Object(
  {
    tenant: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: "required with an admin key; a tenant key's own by default" })),
    host: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
  },
  { additionalProperties: false },
);

export function registerComplianceRoutes(app: FastifyInstance, deps: WaiverRouteDeps): void {
  app.get<{ Querystring: Static<typeof Query> }>('/api/v1/compliance', { config: { access: 'read' }, schema: { querystring: Query } }, async (request) => {
    const tenant = listTenant(request, request.query.tenant);
    if (tenant === undefined) throw httpErrors.invalidArgument('tenant is required');
    if (!deps.store.tenants.get(tenant)) throw httpErrors.tenantUnknown(tenant);
    return complianceTable(deps.store, tenant, request.query.host);
  });
  registerWaiverRoutes(app, deps);
}
