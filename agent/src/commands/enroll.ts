// watchpost-agent enroll: trade a one-time enrollment token for this agent's own credential, and pin the
// collector's TLS certificate (--ca, --fingerprint) for enroll and every later connection of `run`.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { isIP } from 'node:net';
import { UsageError } from '../base/errors.js';
import { postJson } from '../identity/http.js';
import { loadIdentity, resolveStateDir, saveIdentity } from '../identity/state.js';
import { describeTlsFailure, parseCaPem, parseFingerprint, type TlsPin } from '../identity/tls.js';
import { AGENT_VERSION } from '../version.js';
import { STATE_DIR_OPTION, type Command, type CommandInput } from './command.js';

export const ENROLL_PATH = '/api/v1/enroll';
const ENROLL_TIMEOUT_MS = 30_000;

export class EnrollError extends Error {}

interface EnrollAnswer {
  agentId: string;
  tenant: string;
  credential: string;
}

/**
 * POSTs the token; resolves with the collector's answer or throws EnrollError with a message for a person.
 * `previousCredential` is this machine's current credential for the same collector, sent as the bearer (a
 * collector that does not look for it ignores a header): proving it lets the collector replace the old agent, to
 * which the hostname is bound, instead of refusing the name as taken.
 */
export async function requestEnrollment(server: string, token: string, tls?: TlsPin, previousCredential?: string): Promise<EnrollAnswer> {
  // Appended, not resolved: an absolute path would drop a collector's path prefix (behind a reverse proxy at
  // https://host/watchpost), which the WebSocket URL keeps.
  const url = new URL(server.replace(/\/+$/, '') + ENROLL_PATH);
  const request = { token, hostname: hostname(), os: process.platform, arch: process.arch, agentVersion: AGENT_VERSION };
  let response: { status: number; body: unknown };
  try {
    response = await postJson(url, request, {
      timeoutMs: ENROLL_TIMEOUT_MS,
      ...(tls ? { tls } : {}),
      ...(previousCredential ? { bearer: previousCredential } : {}),
    });
  } catch (error) {
    const tlsFailure = describeTlsFailure(error as Error, tls);
    if (tlsFailure) throw new EnrollError(`TLS check of the collector at ${server} failed: ${tlsFailure}`);
    throw new EnrollError(`cannot reach the collector at ${server}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const body = (response.body ?? {}) as Partial<EnrollAnswer> & { message?: string };
  if (response.status < 200 || response.status > 299) {
    throw new EnrollError(`enrollment refused by the collector (HTTP ${response.status}): ${body.message ?? 'no reason given'}`);
  }
  if (!body.agentId || !body.credential || !body.tenant) throw new EnrollError('the collector answered without an agent credential');
  return { agentId: body.agentId, tenant: body.tenant, credential: body.credential };
}

/** localhost, 127.0.0.0/8 and ::1: where plain http cannot be read by anyone else on the network. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare.endsWith('.localhost')) return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return bare === '::1';
}

export function checkServer(server: unknown): URL {
  if (typeof server !== 'string' || !server) throw new UsageError('--server is required');
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new UsageError(`--server: not a URL: "${server}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--server: expected http:// or https://, got "${server}"`);
  return url;
}

/** --ca and --fingerprint as a pin (undefined when neither is given); usage errors name the flag. */
export function readPin(values: CommandInput['values'], url: URL): TlsPin | undefined {
  const pin: TlsPin = {};
  for (const flag of ['ca', 'fingerprint'] as const) {
    if (values[flag] !== undefined && url.protocol !== 'https:') {
      throw new UsageError(`--${flag} pins the collector's TLS certificate and needs an https:// server, got "${url.origin}"`);
    }
  }
  if (typeof values.ca === 'string') {
    let text: string;
    try {
      text = readFileSync(values.ca, 'utf8');
    } catch (error) {
      throw new UsageError(`--ca: cannot read ${values.ca}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    try {
      pin.ca = parseCaPem(text);
    } catch (error) {
      throw new UsageError(`--ca: ${values.ca}: ${(error as Error).message}`);
    }
  }
  if (typeof values.fingerprint === 'string') {
    const fingerprint = parseFingerprint(values.fingerprint);
    if (!fingerprint) throw new UsageError(`--fingerprint: expected a SHA-256 fingerprint (AA:BB:… or 64 hex digits), got "${values.fingerprint}"`);
    pin.fingerprint = fingerprint;
  }
  return pin.ca || pin.fingerprint ? pin : undefined;
}

export const enroll: Command = {
  usage: '--server URL --token TOKEN [--ca FILE] [--fingerprint SHA256] [--state-dir DIR] [--force]',
  summary: 'enroll with a one-time token; --ca trusts only that CA (not the system store), --fingerprint pins the certificate',
  options: {
    ...STATE_DIR_OPTION,
    server: { type: 'string' },
    token: { type: 'string' },
    ca: { type: 'string' },
    fingerprint: { type: 'string' },
    force: { type: 'boolean' },
  },
  async run({ values, positionals }) {
    if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const url = checkServer(values.server);
    const server = url.origin + url.pathname.replace(/\/$/, '');
    if (typeof values.token !== 'string' || !values.token) throw new UsageError('--token is required');
    const tls = readPin(values, url);
    const dir = resolveStateDir(values['state-dir'] as string | undefined);
    const existing = loadIdentity(dir);
    if (existing && !values.force) {
      process.stderr.write(`already enrolled as ${existing.agentId} with ${existing.server}; use --force to enroll again\n`);
      return 1;
    }
    if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
      // The collector decides whether it accepts plain http; the agent only says what it costs.
      process.stderr.write(
        `watchpost-agent enroll: warning: ${url.origin} is plain http and not loopback: credentials will travel in clear text; use https://\n`,
      );
    }
    try {
      // Only to the collector that issued it: another one has no use for it and must not learn it.
      const previous = existing?.server === server ? existing.credential : undefined;
      const answer = await requestEnrollment(server, values.token, tls, previous);
      saveIdentity(dir, { server, ...answer, enrolledAt: new Date().toISOString(), ...(tls ? { tls } : {}) });
      const pinned = tls ? `; pinned ${[tls.ca && 'CA', tls.fingerprint && 'certificate fingerprint'].filter(Boolean).join(' and ')}` : '';
      process.stdout.write(`enrolled as ${answer.agentId} (tenant ${answer.tenant}); identity saved in ${dir}${pinned}\n`);
      return 0;
    } catch (error) {
      if (!(error instanceof EnrollError)) throw error;
      process.stderr.write(`watchpost-agent enroll: ${error.message}\n`);
      return 1;
    }
  },
};
