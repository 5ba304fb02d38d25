// Shared setup of the patch management tests: a real SQLite store on a controllable clock, a rules file parsed as the
// collector parses it, agents enrolled through the store, and the agent's patches probe points fed through the real
// ingest (so the update keys and install ids are the collector's own).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { watchpost } from '../../../proto/index.js';
import { parseRules, type RuleSet } from '../../../collector/src/alerting/rules/rules-file.js';
import { createPatchIngest } from '../../../collector/src/patching/ingest.js';
import { openStore, type Store } from '../../../collector/src/store/index.js';

export const H = 3_600_000;
export const D = 24 * H;

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

type Value = string | number | boolean;
export function sample(measurement: string, time: number, fields: Record<string, Value>, tags: Record<string, string> = {}): watchpost.v1.ISample {
  return {
    measurement,
    timeMs: time,
    tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
    fields: Object.entries(fields).map(([key, v]) =>
      typeof v === 'string' ? { key, str: v } : typeof v === 'boolean' ? { key, bool: v } : Number.isInteger(v) ? { key, int: v } : { key, float: v },
    ),
  };
}

export interface PendingSpec {
  package?: string;
  kb?: string;
  update_id?: string;
  title?: string;
  version?: string;
  security?: boolean;
  critical?: boolean;
}

/** One patches run as the agent sends it: the summary at `at`, then one patches_pending point per update 1 ms apart. */
export function patchesRun(at: number, source: string, updates: readonly PendingSpec[]): watchpost.v1.ISample[] {
  const security = updates.filter((u) => u.security).length;
  return [
    sample('patches', at, { pending_total: updates.length, pending_security: security, pending_critical: 0, reboot_pending: false }, { source }),
    ...updates.map((u, i) =>
      sample(
        'patches_pending',
        at + i + 1,
        {
          title: u.title ?? `${u.package ?? u.kb} ${u.version ?? '1.0'}`,
          ...(u.kb ? { kb: u.kb } : {}),
          ...(u.package ? { package: u.package } : {}),
          ...(u.update_id ? { update_id: u.update_id } : {}),
          version: u.version ?? '1.0',
          security: u.security ?? false,
          critical: u.critical ?? false,
        },
        { source },
      ),
    ),
  ];
}

export interface World {
  store: Store;
  clock: { now: () => number; set(t: number): void };
  rules: () => RuleSet;
  setRules(yaml: string): void;
  /** Enrolls a Linux agent of acme (servers by default: Linux is). */
  agent(hostname: string, tenant?: string): { id: string; tenant: string; hostname: string };
  ingest: ReturnType<typeof createPatchIngest>;
}

export function world(yaml: string, start: number): World {
  const dir = mkdtempSync(join(tmpdir(), 'watchpost-patching-'));
  dirs.push(dir);
  let t = start;
  const store = openStore(join(dir, 'state.db'), { now: () => t });
  stores.push(store);
  let rules = parseRules(yaml, 'rules.yaml');
  const get = () => rules;
  return {
    store,
    clock: { now: () => t, set: (v) => void (t = v) },
    rules: get,
    setRules: (y) => void (rules = parseRules(y, 'rules.yaml')),
    agent(hostname, tenant = 'acme') {
      if (!store.tenants.get(tenant)) store.tenants.add({ id: tenant, name: tenant });
      const { agentId } = store.agents.enroll({ tenant, hostname, os: 'linux', arch: 'x64', agentVersion: '1.0.0' });
      return { id: agentId, tenant, hostname };
    },
    ingest: createPatchIngest({
      store,
      rules: get,
      onError: (_id, error) => {
        throw error;
      },
    }),
  };
}
