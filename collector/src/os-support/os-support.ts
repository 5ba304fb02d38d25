// os-support/ owns the OS support status: the end-of-support table and where a machine stands in it
// (os-lifecycle.ts), and the os_support points and API view derived from each inventory (here).
//
// OS support status: when an agent's `inventory` point arrives, its OS identity is remembered (SQLite) and an
// `os_support` point is written alongside (tags host/tenant; fields supported, end_of_support, days_left,
// os_name, os_version, release, status), timestamped like the inventory point so a replay rewrites the same point.
// GET /api/v1/agents shows the status computed now from the remembered identity and the lifecycle table.
import type { watchpost } from '../../../proto/index.js';
import type { AgentRecord } from '../agent-link/ingest.js';
import type { OsIdentityStore } from '../store/index.js';
import { supportStatus, type LifecycleTable, type OsIdentity, type SupportStatus } from './os-lifecycle.js';

/** Identity strings come from the network: kept short (they are stored per agent). */
const MAX_IDENTITY_LENGTH = 256;

/** inventory field -> OsIdentity key */
const IDENTITY_FIELDS: Record<string, keyof OsIdentity> = {
  os_family: 'family',
  os_name: 'name',
  os_version: 'version',
  os_build: 'build',
  os_edition: 'edition',
  os_product_type: 'productType',
  os_id: 'id',
  os_version_id: 'versionId',
};

/** The OS identity in an `inventory` sample; null for other samples or an inventory without os_family. */
export function identityFromSample(sample: watchpost.v1.ISample): OsIdentity | null {
  if (sample.measurement !== 'inventory') return null;
  const out: Record<string, string> = { family: '', name: '', version: '' };
  for (const field of sample.fields ?? []) {
    const key = field.key ? IDENTITY_FIELDS[field.key] : undefined;
    if (key && typeof field.str === 'string') out[key] = field.str.slice(0, MAX_IDENTITY_LENGTH);
  }
  return out.family ? (out as unknown as OsIdentity) : null;
}

/** The os_support point for one identity (pure). */
export function osSupportSample(os: OsIdentity, status: SupportStatus, timeMs: number): watchpost.v1.ISample {
  const fields: watchpost.v1.IField[] = [
    { key: 'status', str: status.supported === 'unknown' ? 'unknown' : status.supported ? 'supported' : 'unsupported' },
    { key: 'os_name', str: os.name },
    { key: 'os_version', str: os.version },
  ];
  if (status.supported !== 'unknown') fields.push({ key: 'supported', bool: status.supported });
  if (status.release) fields.push({ key: 'release', str: status.release });
  if (status.endOfSupport) fields.push({ key: 'end_of_support', int: Date.parse(`${status.endOfSupport}T00:00:00Z`) / 1000 });
  if (status.daysLeft !== null) fields.push({ key: 'days_left', int: status.daysLeft });
  return { measurement: 'os_support', timeMs, tags: [], fields };
}

export interface OsSupportView extends SupportStatus {
  osName: string;
  osVersion: string;
  /** When the inventory that described this OS was taken (ISO 8601). */
  observedAt: string;
}

export interface OsSupport {
  /** IngestDeps.observe: remembers inventory identities and returns the os_support points to write with the batch. */
  observe(agent: AgentRecord, samples: readonly watchpost.v1.ISample[]): watchpost.v1.ISample[];
  /** The agent's support status as of `now`, or null before its first inventory with OS identity. */
  view(agentId: string, now?: Date): OsSupportView | null;
}

/**
 * `onStoreError` hears a failed write of an identity (SQLite full or unwritable): the os_support point is derived
 * and written all the same; only the API's view after a restart misses that inventory.
 */
export function createOsSupport(table: LifecycleTable, store: OsIdentityStore, onStoreError: (agentId: string, error: unknown) => void): OsSupport {
  return {
    observe(agent, samples) {
      const points: watchpost.v1.ISample[] = [];
      for (const sample of samples) {
        const os = identityFromSample(sample);
        const timeMs = sample.timeMs ?? 0;
        if (!os || !Number.isFinite(timeMs) || timeMs <= 0) continue;
        try {
          store.put(agent.id, os, timeMs);
        } catch (error) {
          onStoreError(agent.id, error);
        }
        points.push(osSupportSample(os, supportStatus(os, table, new Date(timeMs)), timeMs));
      }
      return points;
    },
    view(agentId, now = new Date()) {
      const stored = store.get(agentId);
      if (!stored) return null;
      const os = stored.identity as unknown as OsIdentity;
      return { ...supportStatus(os, table, now), osName: os.name, osVersion: os.version, observedAt: new Date(stored.observedAt).toISOString() };
    },
  };
}
