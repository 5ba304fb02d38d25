// Maintenance windows and silences over the API: list (any key; a tenant key sees its tenant's), create, delete (a
// window) and expire (a silence) (admin keys, and operate keys in their own tenant). Bodies take ISO times and
// durations like "4h" (alerting/hold-input.ts); the creator is the name of the API key's holder. Another tenant's
// window or silence answers 404, like an unknown one. A silence for a rule id the rules in force do not know for
// its tenant is refused (400 naming the rule and the known ids): it would silence nothing, silently. A running
// engine sees every change on its next hold check (store.maintenance.version()).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Store } from '../store/index.js';
import { isStoreError } from '../store/index.js';
import type { MaintenanceWindow, Silence } from '../store/index.js';
import { windowCoverage } from '../alerting/holds.js';
import { HoldInputError, silenceFromRequest, windowFromRequest } from '../alerting/hold-input.js';
import { loadRules, type RuleSet } from '../alerting/rules/rules-file.js';
import { unknownRuleProblem } from '../alerting/rules/effective.js';
import { httpErrors } from '../errors.js';
import { actTenant, actor, callerOf, listTenant, sees } from './access.js';
import { iso, isoOrNull } from './iso.js';

const Key = Type.String({ minLength: 1, maxLength: 255 });
const Text = Type.String({ minLength: 1, maxLength: 1000 });
const Time = Type.String({ minLength: 1, maxLength: 64, description: 'ISO 8601 with a zone, e.g. 2025-03-29T22:00:00+01:00' });
const Duration = Type.String({ minLength: 1, maxLength: 32, description: 'e.g. 30m, 4h, 2d' });

const WindowBody = Type.Object(
  {
    tenant: Key,
    site: Type.Optional(Key),
    host: Type.Optional(Key),
    reason: Text,
    start: Type.Optional(Time),
    end: Type.Optional(Time),
    duration: Type.Optional(Duration),
    cron: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    until: Type.Optional(Time),
  },
  { additionalProperties: false },
);
const SilenceBody = Type.Object(
  {
    tenant: Key,
    host: Type.Optional(Key),
    ruleId: Type.Optional(Key),
    comment: Text,
    start: Type.Optional(Time),
    end: Type.Optional(Time),
    duration: Type.Optional(Duration),
  },
  { additionalProperties: false },
);
const WindowQuery = Type.Object({ tenant: Type.Optional(Key), includeDeleted: Type.Optional(Type.Boolean()) }, { additionalProperties: false });
const SilenceQuery = Type.Object(
  { tenant: Type.Optional(Key), active: Type.Optional(Type.Boolean({ description: 'only silences in force now' })) },
  { additionalProperties: false },
);
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

/** A window as the API shows it; `activeUntil` is the end of the stretch holding now (null when none). */
export function windowView(w: MaintenanceWindow, now: number) {
  const until = windowCoverage(w, now);
  return {
    id: w.id,
    tenant: w.tenant,
    site: w.site,
    host: w.host,
    reason: w.reason,
    startsAt: iso(w.startsAt),
    endsAt: isoOrNull(w.endsAt),
    recurrence: w.recurrence,
    createdAt: iso(w.createdAt),
    createdBy: w.createdBy,
    deletedAt: isoOrNull(w.deletedAt),
    activeUntil: until === null ? null : iso(until),
  };
}

export function silenceView(s: Silence, now: number) {
  return {
    id: s.id,
    tenant: s.tenant,
    host: s.host,
    ruleId: s.ruleId,
    startsAt: iso(s.startsAt),
    endsAt: iso(s.endsAt),
    comment: s.comment,
    createdAt: iso(s.createdAt),
    createdBy: s.createdBy,
    expiredAt: isoOrNull(s.expiredAt),
    active: s.expiredAt === null && s.startsAt <= now && now < s.endsAt,
  };
}

/** Input and store refusals as HTTP answers: 400 naming the field, 404 for an unknown tenant. */
function creating<T>(tenant: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof HoldInputError || isStoreError(error, 'invalid_argument')) throw httpErrors.invalidArgument((error as Error).message);
    if (isStoreError(error, 'tenant_unknown')) throw httpErrors.tenantUnknown(tenant);
    throw error;
  }
}

export interface MaintenanceRouteDeps {
  store: Store;
  now?: () => number;
  /** The rules in force, to refuse a silence for an unknown rule id; default: the shipped default pack. */
  rules?: () => RuleSet;
}

const READ = { access: 'read' } as const;
const OPERATE = { access: 'operate' } as const;
const keyOf = (request: FastifyRequest): string => callerOf(request).id;

export function registerMaintenanceRoutes(app: FastifyInstance, deps: MaintenanceRouteDeps): void {
  const now = deps.now ?? Date.now;
  const m = deps.store.maintenance;
  let defaults: RuleSet | undefined;
  const rules = deps.rules ?? (() => (defaults ??= loadRules()));

  app.get<{ Querystring: Static<typeof WindowQuery> }>(
    '/api/v1/maintenance-windows',
    { config: READ, schema: { querystring: WindowQuery } },
    async (request) => {
      const t = now();
      const tenant = listTenant(request, request.query.tenant);
      const windows = m.listWindows({ ...(tenant ? { tenant } : {}), includeDeleted: request.query.includeDeleted === true });
      return { windows: windows.map((w) => windowView(w, t)) };
    },
  );
  app.post<{ Body: Static<typeof WindowBody> }>('/api/v1/maintenance-windows', { config: OPERATE, schema: { body: WindowBody } }, async (request, reply) => {
    const t = now();
    actTenant(request, request.body.tenant);
    const window = creating(request.body.tenant, () => m.addWindow(windowFromRequest(request.body, t, actor(request))));
    request.log.info({ id: window.id, tenant: window.tenant, apiKeyId: keyOf(request) }, 'maintenance window created');
    return reply.code(201).send(windowView(window, t));
  });
  app.delete<{ Params: Static<typeof IdParams> }>('/api/v1/maintenance-windows/:id', { config: OPERATE, schema: { params: IdParams } }, async (request) => {
    const t = now();
    const window = m.getWindow(request.params.id);
    if (!window || !sees(request, window.tenant)) throw httpErrors.maintenanceWindowUnknown(request.params.id);
    if (m.deleteWindow(window.id, t)) request.log.info({ id: window.id, apiKeyId: keyOf(request) }, 'maintenance window deleted');
    return windowView(m.getWindow(request.params.id)!, t);
  });

  app.get<{ Querystring: Static<typeof SilenceQuery> }>('/api/v1/silences', { config: READ, schema: { querystring: SilenceQuery } }, async (request) => {
    const t = now();
    const tenant = listTenant(request, request.query.tenant);
    const silences = m.listSilences({ ...(tenant ? { tenant } : {}), ...(request.query.active ? { activeAt: t } : {}) });
    return { silences: silences.map((s) => silenceView(s, t)) };
  });
  app.post<{ Body: Static<typeof SilenceBody> }>('/api/v1/silences', { config: OPERATE, schema: { body: SilenceBody } }, async (request, reply) => {
    const t = now();
    actTenant(request, request.body.tenant);
    const { tenant, ruleId } = request.body;
    // An unknown tenant is left to the store (404); a rule is judged against that tenant's rules.
    const problem = ruleId && deps.store.tenants.get(tenant) ? unknownRuleProblem(rules(), tenant, ruleId) : null;
    if (problem) throw httpErrors.invalidArgument(`ruleId: ${problem}`);
    const silence = creating(request.body.tenant, () => m.addSilence(silenceFromRequest(request.body, t, actor(request))));
    request.log.info({ id: silence.id, tenant: silence.tenant, apiKeyId: keyOf(request) }, 'silence created');
    return reply.code(201).send(silenceView(silence, t));
  });
  app.delete<{ Params: Static<typeof IdParams> }>('/api/v1/silences/:id', { config: OPERATE, schema: { params: IdParams } }, async (request) => {
    const t = now();
    const silence = m.getSilence(request.params.id);
    if (!silence || !sees(request, silence.tenant)) throw httpErrors.silenceUnknown(request.params.id);
    if (m.expireSilence(silence.id, t)) request.log.info({ id: silence.id, apiKeyId: keyOf(request) }, 'silence expired');
    return silenceView(m.getSilence(request.params.id)!, t);
  });
}
