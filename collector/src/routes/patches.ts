// Patch management over the API (patching/status.ts, patching/decide.ts):
//   GET  /api/v1/patches?tenant=T[&host=H][&state=S]  per update and host: key, title, classes, ring, state, who
//                                                      approved it when (or auto after the deferral, until when), the last result
//   GET  /api/v1/patches/summary?tenant=T               per ring: approved / installed / failed / pending / declined counts, and the window
//   POST /api/v1/patches/approvals                      {tenant, update, decision: approve|decline, ring?, reason}; who = the API key's name
// Any key reads (a tenant key its own tenant only); admin keys, and operate keys in their own tenant, decide. A
// decision pushes the plans of the connected agents that list the update again at once.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { RuleSet } from '../alerting/rules/rules-file.js';
import { isStoreError, type Store } from '../store/index.js';
import type { AgentActions } from '../patching/contract.js';
import { decidePatch } from '../patching/decide.js';
import { decisionView, PATCH_STATES, patchStatus, ringSummary, type PatchStatusRow } from '../patching/status.js';
import { nextWindow, openWindow } from '../patching/window.js';
import { httpErrors } from '../errors.js';
import { actTenant, actor, listTenant } from './access.js';
import { iso, isoOrNull } from './iso.js';

const Name = Type.String({ minLength: 1, maxLength: 255 });
const ListQuery = Type.Object(
  {
    tenant: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: "required with an admin key; a tenant key's own by default" })),
    host: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    state: Type.Optional(Type.Union(PATCH_STATES.map((s) => Type.Literal(s)))),
  },
  { additionalProperties: false },
);
const SummaryQuery = Type.Object({ tenant: ListQuery.properties.tenant }, { additionalProperties: false });
const DecisionBody = Type.Object(
  {
    tenant: Name,
    update: Type.String({
      minLength: 1,
      maxLength: 300,
      description: 'the update key: kb:KB5034441, pkg:openssl, adv:RHSA-2024:1234, patch:..., wua:<guid>, label:...',
    }),
    decision: Type.Union([Type.Literal('approve'), Type.Literal('decline')]),
    ring: Type.Optional(Type.String({ minLength: 1, maxLength: 32, description: 'only for this ring; absent: every ring' })),
    reason: Type.String({ minLength: 1, maxLength: 1000 }),
  },
  { additionalProperties: false },
);

export interface PatchRouteDeps {
  store: Store;
  rules: () => RuleSet;
  /** Pushes plans again after a decision; absent, agents get the change at their next plan (reconnect, window). */
  actions?: Pick<AgentActions, 'refreshPlan'>;
  now?: () => number;
}

/** One row as the API shows it: times ISO 8601. */
export function patchRowView(r: PatchStatusRow) {
  const { update: u, approval: a } = r;
  return {
    key: u.key,
    title: u.title,
    host: u.host,
    manager: u.manager,
    install_id: u.installId,
    kb: u.kb,
    package: u.package,
    version: u.version,
    classes: [...(u.security ? ['security'] : []), ...(u.critical ? ['critical'] : [])],
    ring: r.ring,
    state: r.state,
    first_seen: iso(u.firstSeen),
    tenant_first_seen: iso(u.tenantFirstSeen),
    decision: (() => {
      const d = decisionView(a);
      return d && { ...d, at: iso(d.at) };
    })(),
    auto_approved_at: a.state === 'approved' && 'auto' in a ? iso(a.since) : null,
    auto_after: a.state === 'deferred' ? iso(a.until) : null,
    needs_approval: a.state === 'needs_approval',
    excluded_by: a.state === 'excluded' ? a.glob : null,
    last_result: r.lastResult && {
      outcome: r.lastResult.outcome,
      at: iso(r.lastResult.at),
      plan_id: r.lastResult.planId,
      code: r.lastResult.code,
      detail: r.lastResult.detail,
    },
  };
}

export function registerPatchRoutes(app: FastifyInstance, deps: PatchRouteDeps): void {
  const now = deps.now ?? Date.now;
  const { store } = deps;
  const tenantOf = (request: Parameters<typeof listTenant>[0], asked: string | undefined): string => {
    const tenant = listTenant(request, asked);
    if (tenant === undefined) throw httpErrors.invalidArgument('tenant is required');
    if (!store.tenants.get(tenant)) throw httpErrors.tenantUnknown(tenant);
    return tenant;
  };

  app.get<{ Querystring: Static<typeof ListQuery> }>('/api/v1/patches', { config: { access: 'read' }, schema: { querystring: ListQuery } }, async (request) => {
    const tenant = tenantOf(request, request.query.tenant);
    const { host, state } = request.query;
    const rules = deps.rules();
    const managed = rules.terms(tenant).patches !== undefined;
    const rows = patchStatus(store, rules, tenant, now()).filter(
      (r) => (host === undefined || r.update.host.toLowerCase() === host.toLowerCase()) && (state === undefined || r.state === state),
    );
    return { tenant, managed, updates: rows.map(patchRowView) };
  });

  app.get<{ Querystring: Static<typeof SummaryQuery> }>(
    '/api/v1/patches/summary',
    { config: { access: 'read' }, schema: { querystring: SummaryQuery } },
    async (request) => {
      const tenant = tenantOf(request, request.query.tenant);
      const rules = deps.rules();
      const policy = rules.terms(tenant).patches;
      const t = now();
      if (!policy) return { tenant, managed: false, rings: [], window: null };
      const open = openWindow(policy.window, t);
      const next = nextWindow(policy.window, t);
      return {
        tenant,
        managed: true,
        rings: ringSummary(rules, tenant, patchStatus(store, rules, tenant, t)).map((c) => ({
          ...c,
          deferral_ms: policy.rings.find((r) => r.name === c.ring)?.deferralMs ?? null,
        })),
        window: {
          cron: policy.window.cron,
          timezone: policy.window.timezone,
          duration_ms: policy.window.durationMs,
          open_until: isoOrNull(open?.end ?? null),
          next_start: isoOrNull(next?.start ?? null),
        },
      };
    },
  );

  app.post<{ Body: Static<typeof DecisionBody> }>(
    '/api/v1/patches/approvals',
    { config: { access: 'operate' }, schema: { body: DecisionBody } },
    async (request, reply) => {
      const { tenant } = request.body;
      actTenant(request, tenant);
      try {
        const { decision, refreshed } = decidePatch(store, deps.rules(), request.body, actor(request), deps.actions);
        request.log.info(
          { tenant, update: decision.updateKey, ring: decision.ring, decision: decision.decision, by: decision.createdBy },
          'patch decision recorded',
        );
        return reply.code(201).send({ ...decision, createdAt: iso(decision.createdAt), refreshed_agents: refreshed.length });
      } catch (error) {
        if (isStoreError(error, 'tenant_unknown')) throw httpErrors.tenantUnknown(tenant);
        if (isStoreError(error, 'invalid_argument')) throw httpErrors.invalidArgument((error as Error).message);
        throw error;
      }
    },
  );
}
