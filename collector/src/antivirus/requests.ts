// A person's request for a Defender action, as the API and the CLI take it: the host by its name, checked to be a
// live agent of the tenant whose latest antivirus run showed a Microsoft Defender that can run actions. Third-party
// products are never driven, so a host protected only by one is refused like a host without antivirus.
import type { AvActionKind } from '../patching/contract.js';
import { hostnameKey, type Agent, type AvActionRequest, type DefenderHost, type Store } from '../store/index.js';
import { drivable } from './defender.js';

/** How long a person's request waits for its host (a request queued by the CLI is sent by the serving collector). */
export const PERSON_DELIVERY_MS = 15 * 60_000;

export type AvRefusal = 'tenant_unknown' | 'host_unknown' | 'not_defender' | 'not_connected';

export class AvRequestError extends Error {
  constructor(
    readonly code: AvRefusal,
    message: string,
  ) {
    super(message);
    this.name = 'AvRequestError';
  }
}

export interface PersonRequest {
  tenant: string;
  host: string;
  action: AvActionKind;
  by: string;
}

/** The live agent named `host` in the tenant, with its Defender; throws AvRequestError when there is none or it cannot be driven. */
export function defenderTarget(store: Store, tenant: string, host: string): { agent: Agent; defender: DefenderHost } {
  if (!store.tenants.get(tenant)) throw new AvRequestError('tenant_unknown', `unknown tenant: ${tenant}`);
  const wanted = hostnameKey(host);
  const agent = store.agents.list(tenant).find((a) => a.revokedAt === null && hostnameKey(a.hostname) === wanted);
  if (!agent) throw new AvRequestError('host_unknown', `no live agent named "${host}" in tenant ${tenant}`);
  const defender = store.avActions.defender(agent.id);
  if (!defender || defender.state === 'absent')
    throw new AvRequestError('not_defender', `${agent.hostname}: its antivirus runs show no Microsoft Defender Antivirus (other products are never driven)`);
  if (!drivable(defender.state)) throw new AvRequestError('not_defender', `${agent.hostname}: Microsoft Defender Antivirus is ${defender.state}`);
  return { agent, defender };
}

/** Records a person's request, queued; `online` decides (the link's live session, or the store's record in another process). */
export function queuePersonRequest(store: Store, req: PersonRequest, now: number, online: (agent: Agent) => boolean): AvActionRequest {
  const { agent } = defenderTarget(store, req.tenant, req.host);
  if (!online(agent)) throw new AvRequestError('not_connected', `${agent.hostname} is not connected; ask again when it is`);
  return store.avActions.create({
    tenant: agent.tenant,
    agentId: agent.id,
    host: agent.hostname,
    action: req.action,
    origin: 'person',
    by: req.by,
    askedAt: now,
    deliverBy: now + PERSON_DELIVERY_MS,
  });
}
