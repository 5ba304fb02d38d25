// GET /api/v1/rules: the rules and service terms in force for one host (after tenant and host overrides; without
// a host, the tenant's before any host entry), so an MSP can check an override, what a reload did and why a host
// was (or was not) ticketed: each rule's levels with thresholds, impact and the priority they give there, its for
// and where it was last written, and the calendar the SLA clocks count in (effective.ts). Any API key; a tenant
// key only for its own tenant (403 for another). A tenant that does not exist answers 404 tenant_unknown rather
// than the top-level terms a misspelled id would silently get. An admin key also sees `unknownTenants`: entries in
// the rules file for tenants that do not exist, each with the nearest existing id.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { RuleSet } from '../alerting/rules/rules-file.js';
import { effectiveRules, unknownTenants } from '../alerting/rules/effective.js';
import { httpErrors } from '../errors.js';
import type { Store } from '../store/index.js';
import { callerOf, listTenant } from './access.js';

const Query = Type.Object(
  {
    tenant: Type.String({ minLength: 1, maxLength: 255 }),
    host: Type.Optional(Type.String({ minLength: 1, maxLength: 1024, description: 'a host name; omitted: the tenant before any host entry' })),
  },
  { additionalProperties: false },
);

export interface RuleRouteDeps {
  rules: () => RuleSet;
  store: Pick<Store, 'tenants'>;
}

export function registerRuleRoutes(app: FastifyInstance, deps: RuleRouteDeps): void {
  app.get<{ Querystring: Static<typeof Query> }>('/api/v1/rules', { config: { access: 'read' }, schema: { querystring: Query } }, async (request) => {
    const { tenant, host } = request.query;
    listTenant(request, tenant);
    if (!deps.store.tenants.get(tenant)) throw httpErrors.tenantUnknown(tenant);
    const set = deps.rules();
    const view = effectiveRules(set, tenant, host);
    if (callerOf(request).tenant !== null) return view;
    return {
      ...view,
      unknownTenants: unknownTenants(
        set,
        deps.store.tenants.list().map((t) => t.id),
      ),
    };
  });
}
