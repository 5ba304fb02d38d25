// watchpost-agent enroll: trade a one-time enrollment token for this agent's own credential.
import { hostname } from 'node:os';
import { UsageError } from '../errors.js';
import { loadIdentity, resolveStateDir, saveIdentity } from '../state.js';
import { AGENT_VERSION } from '../version.js';
import { STATE_DIR_OPTION, type Command } from './command.js';

export const ENROLL_PATH = '/api/v1/enroll';
const ENROLL_TIMEOUT_MS = 30_000;

export class EnrollError extends Error {}

interface EnrollAnswer {
  agentId: string;
  tenant: string;
  credential: string;
}

/** POSTs the token; resolves with the collector's answer or throws EnrollError with a message for a person. */
export async function requestEnrollment(server: string, token: string): Promise<EnrollAnswer> {
  // Appended, not resolved: an absolute path would drop a collector's path prefix (behind a reverse proxy at
  // https://host/watchpost), which the WebSocket URL keeps.
  const url = new URL(server.replace(/\/+$/, '') + ENROLL_PATH);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, hostname: hostname(), os: process.platform, arch: process.arch, agentVersion: AGENT_VERSION }),
      signal: AbortSignal.timeout(ENROLL_TIMEOUT_MS),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new EnrollError(`cannot reach the collector at ${server}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
  }
  const body = (await response.json().catch(() => ({}))) as Partial<EnrollAnswer> & { message?: string };
  if (!response.ok) throw new EnrollError(`enrollment refused by the collector (HTTP ${response.status}): ${body.message ?? 'no reason given'}`);
  if (!body.agentId || !body.credential || !body.tenant) throw new EnrollError('the collector answered without an agent credential');
  return { agentId: body.agentId, tenant: body.tenant, credential: body.credential };
}

function checkServer(server: unknown): string {
  if (typeof server !== 'string' || !server) throw new UsageError('--server is required');
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new UsageError(`--server: not a URL: "${server}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--server: expected http:// or https://, got "${server}"`);
  return url.origin + url.pathname.replace(/\/$/, '');
}

export const enroll: Command = {
  usage: '--server URL --token TOKEN [--state-dir DIR] [--force]',
  summary: 'enroll with a collector using a one-time token',
  options: { ...STATE_DIR_OPTION, server: { type: 'string' }, token: { type: 'string' }, force: { type: 'boolean' } },
  async run({ values, positionals }) {
    if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const server = checkServer(values.server);
    if (typeof values.token !== 'string' || !values.token) throw new UsageError('--token is required');
    const dir = resolveStateDir(values['state-dir'] as string | undefined);
    const existing = loadIdentity(dir);
    if (existing && !values.force) {
      process.stderr.write(`already enrolled as ${existing.agentId} with ${existing.server}; use --force to enroll again\n`);
      return 1;
    }
    try {
      const answer = await requestEnrollment(server, values.token);
      saveIdentity(dir, { server, ...answer, enrolledAt: new Date().toISOString() });
      process.stdout.write(`enrolled as ${answer.agentId} (tenant ${answer.tenant}); identity saved in ${dir}\n`);
      return 0;
    } catch (error) {
      if (!(error instanceof EnrollError)) throw error;
      process.stderr.write(`watchpost-agent enroll: ${error.message}\n`);
      return 1;
    }
  },
};
