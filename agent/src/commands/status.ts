// watchpost-agent status: what the running agent last wrote to status.json, plus whether it is still running.
import { join } from 'node:path';
import { UsageError } from '../base/errors.js';
import { STATUS_FILE, loadIdentity, readJson, resolveStateDir } from '../identity/state.js';
import type { AgentStatus } from '../status/report.js';
import { STATE_DIR_OPTION, type Command } from './command.js';
import { isProcessAlive } from '../identity/lock.js';

/** The running agent rewrites status.json every few seconds; older than this, it is not running. */
const STALE_AFTER_MS = 30_000;

export interface StatusReport {
  enrolled: boolean;
  running: boolean;
  stateDir: string;
  agentId?: string;
  tenant?: string;
  server?: string;
  status?: AgentStatus;
}

export function readStatus(dir: string, now = Date.now()): StatusReport {
  const identity = loadIdentity(dir);
  if (!identity) return { enrolled: false, running: false, stateDir: dir };
  const status = readJson<AgentStatus>(join(dir, STATUS_FILE));
  const fresh = !!status && now - Date.parse(status.updatedAt) < STALE_AFTER_MS;
  const running = fresh && isProcessAlive(status.pid);
  return { enrolled: true, running, stateDir: dir, agentId: identity.agentId, tenant: identity.tenant, server: identity.server, ...(status ? { status } : {}) };
}

function describe(r: StatusReport): string {
  if (!r.enrolled) return `not enrolled (state directory ${r.stateDir})\n`;
  const s = r.status;
  const lines = [`agent ${r.agentId} (tenant ${r.tenant}) -> ${r.server}`, `running: ${r.running ? `yes (pid ${s?.pid})` : 'no'}`];
  if (s) {
    const link = s.connected ? 'connected' : `disconnected${s.nextRetryAt ? `, retrying at ${s.nextRetryAt}` : ''}`;
    lines.push(`link: ${link}${s.lastError ? ` (last error: ${s.lastError})` : ''}`);
    lines.push(`last ack: ${s.lastAckAt ?? 'never'}`);
    const rejection = s.lastRejection; // absent in an older agent's status.json
    if (rejection) lines.push(`last rejection: ${rejection.points} points of batch ${rejection.seq} at ${rejection.at}: ${rejection.reason}`);
    // status.json may come from an older agent without the spool kind and the drop breakdown.
    const where = s.spool.kind === 'memory' ? ` IN MEMORY (disk spool unusable: ${s.spool.error ?? 'unknown'})` : s.spool.kind ? ' on disk' : '';
    lines.push(`spool${where}: ${s.spool.batches} batches, ${s.spool.bytes} bytes`);
    const c = s.counters;
    const by = c.pointsDroppedBy
      ? Object.entries(c.pointsDroppedBy)
          .filter(([, n]) => n > 0)
          .map(([reason, n]) => `${reason} ${n}`)
      : [];
    lines.push(
      `points: produced ${c.pointsProduced}, acked ${c.pointsAcked}, dropped ${c.pointsDropped}${by.length ? ` (${by.join(', ')})` : ''}, rejected ${c.pointsRejected}`,
    );
  }
  return lines.join('\n') + '\n';
}

export const status: Command = {
  usage: '[--json] [--state-dir DIR]',
  summary: 'show enrollment, connection, spool and counters',
  options: { ...STATE_DIR_OPTION, json: { type: 'boolean' } },
  async run({ values, positionals }) {
    if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const report = readStatus(resolveStateDir(values['state-dir'] as string | undefined));
    if (values.json) {
      const s = report.status;
      process.stdout.write(
        JSON.stringify(
          {
            ...report,
            status: undefined,
            ...(s
              ? {
                  connected: report.running && s.connected,
                  lastAckAt: s.lastAckAt,
                  lastError: s.lastError,
                  lastRejection: s.lastRejection ?? null,
                  spool: s.spool,
                  counters: s.counters,
                  pid: s.pid,
                  updatedAt: s.updatedAt,
                }
              : {}),
          },
          null,
          2,
        ) + '\n',
      );
    } else {
      process.stdout.write(describe(report));
    }
    return report.enrolled ? 0 : 1;
  },
};
