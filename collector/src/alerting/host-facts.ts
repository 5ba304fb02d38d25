// Who an alert is about: an enrolled agent, seen through the rules file's host settings and its latest OS
// identity. The role decides urgency (contract.ts), so it is worth getting right without configuration:
// 1. the rules file's per-host `role` always wins (an MSP knows its servers);
// 2. else Windows says so itself (inventory os_product_type: server and domain_controller are servers);
// 3. else by OS family: Linux endpoints under MSP care are overwhelmingly servers, macOS ones workstations.
import type { HostFacts, Role, Urgency } from './contract.js';

export interface HostSettings {
  role?: Role;
  critical?: boolean;
  urgency?: Urgency;
  site?: string;
  tags: readonly string[];
}

export interface AgentIdentity {
  id: string;
  tenant: string;
  hostname: string;
  /** The platform the agent enrolled with (process.platform: win32, linux, darwin). */
  os: string;
}

/** os_* fields of the agent's latest inventory (OsIdentityStore), keyed as os-support/os-support.ts stores them. */
export type OsIdentity = Readonly<Record<string, string>> | null;

const FAMILY_ROLE: Record<string, Role> = { windows: 'workstation', win32: 'workstation', macos: 'workstation', darwin: 'workstation', linux: 'server' };

export function roleOf(settings: HostSettings, identity: OsIdentity, platform: string): Role {
  if (settings.role) return settings.role;
  const productType = identity?.productType;
  if (productType === 'server' || productType === 'domain_controller') return 'server';
  if (productType === 'workstation') return 'workstation';
  return FAMILY_ROLE[identity?.family ?? ''] ?? FAMILY_ROLE[platform] ?? 'workstation';
}

export function hostFacts(agent: AgentIdentity, settings: HostSettings, identity: OsIdentity): HostFacts & { urgency?: Urgency } {
  return {
    tenant: agent.tenant,
    host: agent.hostname,
    agentId: agent.id,
    role: roleOf(settings, identity, agent.os),
    critical: settings.critical === true || settings.tags.includes('critical'),
    ...(settings.site ? { site: settings.site } : {}),
    ...(settings.urgency ? { urgency: settings.urgency } : {}),
    tags: settings.tags,
  };
}
