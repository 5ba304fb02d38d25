// GET /api/v1/rules: the rules and service terms in force for one host (after tenant and host overrides), so an
// MSP can check what a reload did and why a host was (or was not) ticketed. Any API key; a tenant key only for
// its own tenant (403 for another).
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { RuleSet } from '../alerting/rules/rules-file.js';
import { listTenant } from './access.js';

const Query = Type.Object({ tenant: Type.String({ minLength: 1 }), host: Type.String({ minLength: 1 }) }, { additionalProperties: false });

export interface RuleRouteDeps {
  rules: () => RuleSet;
}

export function registerRuleRoutes(app: FastifyInstance, deps: RuleRouteDeps): void {
  app.get<{ Querystring: Static<typeof Query> }>('/api/v1/rules', { config: { access: 'read' }, schema: { querystring: Query } }, async (request) => {
    const { tenant, host } = request.query;
    listTenant(request, tenant);
    const set = deps.rules();
    const terms = set.terms(tenant);
    return {
      tenant,
      host,
      host_settings: set.hostSettings(tenant, host),
      terms: {
        sla_profile: terms.slaProfileName,
        hours: terms.hours === '24x7' ? '24x7' : terms.hours.timezone,
        on_clear: terms.onClear,
        reopen_window_ms: terms.reopenWindowMs,
        maintenance_exit_grace_ms: terms.maintenanceExitGraceMs,
        priority_matrix: terms.matrix,
      },
      rules: set.rulesFor(tenant, host).map((r) => ({
        id: r.id,
        kind: r.kind,
        title: r.title,
        for_ms: r.forMs,
        keep_firing_for_ms: r.keepFiringForMs,
        on_clear: r.onClear ?? terms.onClear,
        ...(r.impact ? { impact: r.impact } : {}),
        ...(r.roles ? { roles: r.roles } : {}),
      })),
    };
  });
}
