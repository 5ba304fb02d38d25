// What a running `serve` takes from its config file on SIGHUP. The keys below are read per use (file paths the
// reload reads next, the log level, the per-IP limits read per request) and apply at once; every other key is
// bound into something built at start (the listening socket and TLS, the store, the InfluxDB writer, the agent
// sockets' limits, the API key check, the timeouts of the HTTP server) and needs a restart: a change to one is
// logged by name and the running value stays, so the process never runs half of a new setting.
import { leafKeys, type Config } from './config.js';

/** The config keys a SIGHUP applies; the README's "reloaded on SIGHUP" statement lists the same. */
export const RELOADABLE_KEYS: readonly string[] = [
  'logLevel',
  'limits.ipAttemptsPerSecond',
  'limits.ipAttemptBurst',
  'policy.file',
  'rules.file',
  'rules.defaults',
  'desks.file',
  'releases.dir',
  'releases.publicKey',
  'updates.file',
];

const RELOADABLE = new Set(RELOADABLE_KEYS);

function valueAt(config: Config, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], config);
}

function setAt(config: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  const parent = keys.slice(0, -1).reduce((node, key) => node[key] as Record<string, unknown>, config);
  parent[keys[keys.length - 1]!] = value;
}

/** The leaf keys whose values differ, split into those a SIGHUP applies and those that need a restart. */
export function changedKeys(before: Config, after: Config): { reloaded: string[]; restart: string[] } {
  const changed = leafKeys()
    .map((k) => k.path)
    .filter((path) => JSON.stringify(valueAt(before, path)) !== JSON.stringify(valueAt(after, path)));
  return { reloaded: changed.filter((p) => RELOADABLE.has(p)), restart: changed.filter((p) => !RELOADABLE.has(p)) };
}

/** The config in force after a reload: the reloadable keys from `next`, every other key as it is in `current`. */
export function applyReloadable(current: Config, next: Config): Config {
  const out = structuredClone(current) as Config & Record<string, unknown>;
  for (const path of RELOADABLE_KEYS) setAt(out, path, valueAt(next, path));
  return out;
}
