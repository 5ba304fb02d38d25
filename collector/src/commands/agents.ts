// watchpost-collector agents: every enrolled agent with its live state as the serving collector records it in the
// store (this is another process: it cannot see the sessions). A connected agent's row is rewritten once per
// heartbeat, so LAST SEEN is at most about two heartbeats old; online means the collector recorded a connection and
// has kept it fresh (store/agents.ts: recordedOnline), so a collector that was killed shows its agents offline.
import { parseDuration } from '../config/duration.js';
import type { Config } from '../config/config.js';
import { loadLifecycle } from '../os-support/os-lifecycle.js';
import { createOsSupport, type OsSupportView } from '../os-support/os-support.js';
import { recordedOnline, type Agent, type Store } from '../store/index.js';
import { CONFIG_OPTION, type Command } from './command.js';
import { withStore } from './context.js';
import { flag, noPositionals } from './hold-common.js';
import { isoTime, printJson, printTable } from './table.js';

/** An agent as this command (and `tenant show`) reports it: the stored agent, whether it is online, its OS support. */
export type AgentStatus = Agent & { online: boolean; osSupport: OsSupportView | null };

/** Every agent of `tenant` (undefined: all) with its online state judged against `config`'s heartbeat, and OS support. */
export function agentStatuses(store: Store, config: Config, tenant?: string, now = Date.now()): AgentStatus[] {
  const heartbeatMs = parseDuration(config.agents.heartbeat);
  const support = createOsSupport(loadLifecycle(config.lifecycle.file || undefined), store.osIdentities, () => {});
  return store.agents.list(tenant).map((a) => ({ ...a, online: recordedOnline(a, now, heartbeatMs), osSupport: support.view(a.id, new Date(now)) }));
}

/** "supported until 2027-10-12", "unsupported since 2025-10-14", "unknown"; "-" before the first inventory. */
export function supportLabel(view: OsSupportView | null): string {
  if (!view) return '-';
  if (view.supported === 'unknown') return 'unknown';
  if (view.supported) return view.endOfSupport ? `supported until ${view.endOfSupport}` : 'supported';
  return view.endOfSupport ? `unsupported since ${view.endOfSupport}` : 'unsupported';
}

const stateLabel = (a: AgentStatus): string => (a.revokedAt ? `revoked ${isoTime(a.revokedAt)}` : a.online ? 'online' : 'offline');

/** The last ack's time and seq ("2026-01-05T10:00:00Z #42"); the seq alone for one recorded before ack times were. */
function ackLabel(a: Agent): string {
  if (a.lastAckAt === null) return a.lastAckedSeq > 0 ? `#${a.lastAckedSeq}` : '-';
  return `${isoTime(a.lastAckAt)} #${a.lastAckedSeq}`;
}

/** The OS as enrolled, with the name and version of its latest inventory when there is one. */
const osLabel = (a: AgentStatus): string => `${a.os}/${a.arch}${a.osSupport ? ` (${a.osSupport.osName} ${a.osSupport.osVersion})` : ''}`;

export const agents: Command = {
  usage: '[--tenant ID] [--json] [--config FILE]',
  summary: 'list enrolled agents with their live state (online/offline, last seen, batch, ack, spool), revoked ones included',
  options: { ...CONFIG_OPTION, tenant: { type: 'string' }, json: { type: 'boolean' } },
  run: (input) =>
    withStore(input, (store, config) => {
      noPositionals(input.positionals);
      const list = agentStatuses(store, config, flag(input.values.tenant));
      if (input.values.json) {
        printJson(list);
        return 0;
      }
      const rows = [['AGENT', 'TENANT', 'HOST', 'STATE', 'LAST SEEN', 'LAST BATCH', 'LAST ACK', 'SPOOL', 'VERSION', 'OS', 'SUPPORT']];
      for (const a of list) {
        // A machine that calls itself otherwise than its bound name shows both: rename it, or find out why.
        const host = a.reportedHostname ? `${a.hostname} (reports ${a.reportedHostname})` : a.hostname;
        const spool = a.spool ? String(a.spool.batches) : '-';
        rows.push([
          a.id,
          a.tenant,
          host,
          stateLabel(a),
          isoTime(a.lastSeenAt),
          isoTime(a.lastBatchAt),
          ackLabel(a),
          spool,
          a.agentVersion,
          osLabel(a),
          supportLabel(a.osSupport),
        ]);
      }
      printTable(rows);
      return 0;
    }),
};
