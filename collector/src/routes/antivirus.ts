// Defender actions over the API (antivirus/manager.ts):
//   POST /api/v1/antivirus/actions            admin keys, and operate keys in their own tenant: { tenant, host, action }
//   GET  /api/v1/antivirus/actions?tenant=T[&host=H]   any key; a tenant key sees its own tenant only
// A POST is sent to the agent at once: 409 when the host is not connected, or its antivirus runs show no Microsoft
// Defender Antivirus that can run actions (third-party products are never driven). Who asked is the API key's name.
// The list shows every request, the schedule's and the definitions-age rule's too, newest first, with the result the
// agent reported (its av_action point).
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { hostnameKey, MAX_AV_LIST, type AvActionRequest, type Store } from '../store/index.js';
import type { AntivirusManager } from '../antivirus/manager.js';
import { AvRequestError } from '../antivirus/requests.js';
import { HttpError, httpErrors } from '../errors.js';
import { actTenant, actor, listTenant } from './access.js';
import { isoOrNull, iso } from './iso.js';

const Key = Type.String({ minLength: 1, maxLength: 255 });
const ActionBody = Type.Object(
  {
    tenant: Key,
    host: Type.String({ minLength: 1, maxLength: 255, description: "the host's name" }),
    action: Type.Union([Type.Literal('signature_update'), Type.Literal('quick_scan')], {
      description: 'Update-MpSignature, or Start-MpScan -ScanType QuickScan',
    }),
  },
  { additionalProperties: false },
);
const ActionQuery = Type.Object(
  {
    tenant: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: "required with an admin key; a tenant key's own by default" })),
    host: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: "only this host's requests" })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_AV_LIST, description: `newest first, at most this many (default ${MAX_AV_LIST})` })),
  },
  { additionalProperties: false },
);

/** A request as the API shows it: times ISO 8601, and the agent's result apart (null until it reported). */
export function avActionView(r: AvActionRequest) {
  const answered = r.status === 'succeeded' || r.status === 'failed';
  return {
    id: r.id,
    tenant: r.tenant,
    host: r.host,
    agentId: r.agentId,
    action: r.action,
    origin: r.origin,
    by: r.by,
    status: r.status,
    askedAt: iso(r.askedAt),
    deliverBy: iso(r.deliverBy),
    sentAt: isoOrNull(r.sentAt),
    answerBy: isoOrNull(r.answerBy),
    result: answered
      ? {
          outcome: r.status,
          at: isoOrNull(r.answeredAt),
          code: r.code,
          codeHex: r.code === null ? null : `0x${(r.code >>> 0).toString(16).toUpperCase().padStart(8, '0')}`,
          detail: r.detail,
          signatureVersion: r.signatureVersion,
          signatureUpdated: isoOrNull(r.signatureUpdated),
          quickScanEnd: isoOrNull(r.quickScanEnd),
        }
      : null,
  };
}

export interface AntivirusRouteDeps {
  store: Store;
  antivirus: Pick<AntivirusManager, 'ask'>;
}

const REFUSAL_STATUS = { tenant_unknown: 404, host_unknown: 404, not_defender: 409, not_connected: 409 } as const;

export function registerAntivirusRoutes(app: FastifyInstance, deps: AntivirusRouteDeps): void {
  const { store } = deps;

  app.get<{ Querystring: Static<typeof ActionQuery> }>(
    '/api/v1/antivirus/actions',
    { config: { access: 'read' }, schema: { querystring: ActionQuery } },
    async (request) => {
      const tenant = listTenant(request, request.query.tenant);
      if (tenant === undefined) throw httpErrors.invalidArgument('tenant is required');
      if (!store.tenants.get(tenant)) throw httpErrors.tenantUnknown(tenant);
      const limit = request.query.limit ?? MAX_AV_LIST;
      if (request.query.host === undefined) return { actions: store.avActions.list({ tenant, limit }).map(avActionView) };
      // Every agent that had the name (a machine re-enrolled keeps its history under the name), newest request first.
      const wanted = hostnameKey(request.query.host);
      const agents = store.agents.list(tenant).filter((a) => hostnameKey(a.hostname) === wanted);
      if (agents.length === 0) throw new HttpError(404, 'host_unknown', `no agent named "${request.query.host}" in tenant ${tenant}`);
      const rows = agents.flatMap((a) => store.avActions.list({ tenant, agentId: a.id, limit }));
      rows.sort((a, b) => b.askedAt - a.askedAt);
      return { actions: rows.slice(0, limit).map(avActionView) };
    },
  );

  app.post<{ Body: Static<typeof ActionBody> }>(
    '/api/v1/antivirus/actions',
    { config: { access: 'operate' }, schema: { body: ActionBody } },
    async (request, reply) => {
      const { tenant, host, action } = request.body;
      actTenant(request, tenant);
      let r: AvActionRequest;
      try {
        r = deps.antivirus.ask({ tenant, host, action, by: actor(request) });
      } catch (error) {
        if (error instanceof AvRequestError) throw new HttpError(REFUSAL_STATUS[error.code], error.code, error.message);
        throw error;
      }
      request.log.info({ id: r.id, tenant, host: r.host, action, by: r.by, status: r.status }, 'antivirus action asked');
      return reply.code(202).send(avActionView(r));
    },
  );
}
