// identity/: who this agent is and how it reaches its collector: the state directory (this file: identity,
// status file), the TLS pin (tls.ts), the one JSON POST to it (http.ts), one agent per state directory (lock.ts).
//
// The agent's state directory: its identity (the credential: owner-only permissions) and the live status file
// the running agent keeps for `watchpost-agent status`. Writes are atomic (temp file + rename) so a crash never
// leaves a half-written identity.
import { mkdirSync, readFileSync, renameSync, writeFileSync, chmodSync, existsSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, win32 } from 'node:path';
import { parseFingerprint, type TlsPin } from './tls.js';

export const IDENTITY_FILE = 'identity.json';
export const STATUS_FILE = 'status.json';

export interface Identity {
  /** Collector base URL as given to enroll (http(s)://host:port). */
  server: string;
  agentId: string;
  tenant: string;
  /** `Bearer` credential for the WebSocket upgrade. Secret: never logged, never printed. */
  credential: string;
  enrolledAt: string;
  /** The collector's TLS pin from `enroll --ca/--fingerprint` (https servers only); absent: the system store. */
  tls?: TlsPin;
}

export class StateError extends Error {}

/** --state-dir, else WATCHPOST_STATE_DIR, else the platform's usual place for a service's state. */
export function resolveStateDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (flag) return flag;
  if (env.WATCHPOST_STATE_DIR) return env.WATCHPOST_STATE_DIR;
  // win32.join: the separators follow the platform asked about, not the one this code runs on.
  if (platform === 'win32') return win32.join(env.ProgramData || 'C:\\ProgramData', 'Watchpost');
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  // The installed daemon's state (agent/src/service/paths.ts): beside versions/ and current in the prefix.
  if (platform === 'darwin') return root ? '/Library/Application Support/Watchpost/state' : join(homedir(), 'Library', 'Application Support', 'Watchpost');
  return root ? '/var/lib/watchpost-agent' : join(env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'watchpost-agent');
}

/** Writes JSON atomically with the given mode (0600 for anything holding a secret). */
export function writeJsonAtomic(file: string, value: unknown, mode = 0o600): void {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, JSON.stringify(value, null, 2) + '\n', { mode });
    chmodSync(temp, mode); // umask may have narrowed or the file may have existed
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true }); // a full disk must not leave half-written files behind
    throw error;
  }
}

/** The state directory is the agent's own: created, or narrowed if it exists, to owner-only (point --state-dir at
 *  a dedicated directory, never a shared one like /tmp). */
export function ensureStateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

export function readJson<T>(file: string): T | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (error) {
    throw new StateError(`${file}: unreadable (${(error as Error).message})`);
  }
}

/** A damaged pin must fail loudly: read as "no pin", it would silently fall back to the system store. */
function checkPin(identity: Identity): string | undefined {
  const pin = identity.tls as unknown;
  if (pin === undefined) return undefined;
  if (typeof pin !== 'object' || pin === null) return 'tls: expected an object';
  const { ca, fingerprint } = pin as Record<string, unknown>;
  if (ca === undefined && fingerprint === undefined) return 'tls: neither ca nor fingerprint';
  if (ca !== undefined && (typeof ca !== 'string' || !ca.includes('-----BEGIN CERTIFICATE-----'))) return 'tls.ca: expected PEM certificates';
  if (fingerprint !== undefined && (typeof fingerprint !== 'string' || parseFingerprint(fingerprint) !== fingerprint)) {
    return 'tls.fingerprint: expected a SHA-256 fingerprint AA:BB:…';
  }
  if (!identity.server.startsWith('https:')) return 'tls: a pin needs an https:// server';
  return undefined;
}

export function loadIdentity(dir: string): Identity | undefined {
  const identity = readJson<Identity | null>(join(dir, IDENTITY_FILE));
  if (identity === undefined) return undefined;
  // A file that exists but cannot identify the agent (null, {}, a field missing) is an error, not "not enrolled":
  // the tenant tags every sample and the rest is needed to connect.
  if (!(identity?.server && identity.agentId && identity.credential && identity.tenant)) {
    throw new StateError(`${join(dir, IDENTITY_FILE)}: incomplete identity; enroll again`);
  }
  const pinError = checkPin(identity);
  if (pinError) throw new StateError(`${join(dir, IDENTITY_FILE)}: ${pinError}; enroll again`);
  return identity;
}

export function saveIdentity(dir: string, identity: Identity): void {
  ensureStateDir(dir);
  writeJsonAtomic(join(dir, IDENTITY_FILE), identity);
}
