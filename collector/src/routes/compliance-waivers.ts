// Exceptions to the minimum standards over the API (compliance/waivers.ts):
//   GET    /api/v1/compliance/waivers?tenant=T[&active=true]  any key; a tenant key sees its own tenant only
//   POST   /api/v1/compliance/waivers                          admin keys, and operate keys in their own tenant
//   DELETE /api/v1/compliance/waivers/:id                      revokes it (same keys as POST)
// The body names the host by its hostname (absent: the whole tenant) and the expiry as a date, an ISO time or a
// duration ("90d"); who agreed it is the API key holder's name. A change re-evaluates the tenant's hosts at once, so
// GET /api/v1/compliance shows it in the same second. Another tenant's waiver answers 404, like an unknown one.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { isStoreError, type Store, type Waiver } from '../store/index.js';
import { HoldInputError } from '../alerting/hold-input.js';
import type { ComplianceEngine } from '../compliance/engine.js';
import { createWaiver } from '../compliance/waivers.js';
import { httpErrors } from '../errors.js';
import { actTenant, actor, listTenant, sees } from './access.js';
import { iso, isoOrNull } from './iso.js';

const Key = Type.String({ minLength: 1, maxLength: 255 });

const WaiverBody = Type.Object(
  {
    tenant: Key,
    host: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: "the host's name; absent: every host of the tenant" })),
    standard: Type.String({ minLength: 1, maxLength: 64, description: 'a standard id, e.g. backup' }),
    reason: Type.String({ minLength: 1, maxLength: 1000, description: 'the written agreement the exception rests on' }),
    expires: Type.String({ minLength: 1, maxLength: 64, description: '2027-03-31 (through that day, UTC), an ISO time with a zone, or a duration like 90d' }),
  },
  { additionalProperties: false },
);
const WaiverQuery = Type.Object(
  {
    tenant: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: "required with an admin key; a tenant key's own by default" })),
    active: Type.Optional(Type.Boolean({ description: 'only waivers in force now' })),
  },
  { additionalProperties: false },
);
const IdParams = Type.Object({ id: Type.String({ pattern: '^[0-9]{1,15}$' }) });

/** A waiver as the API shows it: times ISO 8601, and whether it is in force now. */
export function waiverView(w: Waiver, now: number) {
  return {
    ...w,
    createdAt: iso(w.createdAt),
    expiresAt: iso(w.expiresAt),
    revokedAt: isoOrNull(w.revokedAt),
    active: w.createdAt <= now && now < w.expiresAt && (w.revokedAt === null || w.revokedAt > now),
  };
}

export interface WaiverRouteDeps {
  store: Store;
  /** Re-evaluates the tenant after a change; absent, the engine's next tick applies it. */
  compliance?: Pick<ComplianceEngine, 'reevaluate'>;
  now?: () => number;
}

export function registerWaiverRoutes(app: FastifyInstance, deps: WaiverRouteDeps): void {
  const now = deps.now ?? Date.now;
  const { store } = deps;

  app.get<{ Querystring: Static<typeof WaiverQuery> }>(
    '/api/v1/compliance/waivers',
    { config: { access: 'read' }, schema: { querystring: WaiverQuery } },
    async (request) => {
      const t = now();
      const tenant = listTenant(request, request.query.tenant);
      if (tenant === undefined) throw httpErrors.invalidArgument('tenant is required');
      if (!store.tenants.get(tenant)) throw httpErrors.tenantUnknown(tenant);
      const waivers = store.waivers.list({ tenant, ...(request.query.active ? { activeAt: t } : {}) });
      return { waivers: waivers.map((w) => waiverView(w, t)) };
    },
  );

  app.post<{ Body: Static<typeof WaiverBody> }>(
    '/api/v1/compliance/waivers',
    { config: { access: 'operate' }, schema: { body: WaiverBody } },
    async (request, reply) => {
      const t = now();
      const { tenant } = request.body;
      actTenant(request, tenant);
      let waiver: Waiver;
      try {
        waiver = createWaiver(store, request.body, actor(request), t);
      } catch (error) {
        if (error instanceof HoldInputError) throw httpErrors.invalidArgument(error.message);
        if (isStoreError(error, 'tenant_unknown')) throw httpErrors.tenantUnknown(tenant);
        throw error;
      }
      request.log.info({ id: waiver.id, tenant, standard: waiver.standard, host: waiver.host, by: waiver.createdBy }, 'compliance waiver created');
      deps.compliance?.reevaluate(tenant);
      // now() again: the store stamped createdAt after t.
      return reply.code(201).send(waiverView(waiver, now()));
    },
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    '/api/v1/compliance/waivers/:id',
    { config: { access: 'operate' }, schema: { params: IdParams } },
    async (request) => {
      const t = now();
      const found = store.waivers.get(Number(request.params.id));
      if (!found || !sees(request, found.tenant)) throw httpErrors.waiverUnknown(request.params.id);
      const waiver = store.waivers.revoke(found.id, actor(request), t)!;
      if (found.revokedAt === null) {
        request.log.info({ id: waiver.id, tenant: waiver.tenant, by: waiver.revokedBy }, 'compliance waiver revoked');
        deps.compliance?.reevaluate(waiver.tenant);
      }
      return waiverView(waiver, t);
    },
  );
}
