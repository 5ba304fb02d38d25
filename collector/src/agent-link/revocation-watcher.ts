// Disconnects agents revoked by another process. `agent revoke` (the CLI) writes to the same SQLite file as
// `serve` but cannot reach its sockets, so serve polls the store's revocation log every REVOCATION_POLL_MS and
// closes the sessions of agents revoked since the last poll. Revocations through the admin API disconnect
// at once and are seen here again, harmlessly (the session is gone by then).
import type { AgentStore } from '../store/index.js';

export const REVOCATION_POLL_MS = 1_000;

export interface RevocationWatcher {
  /** One poll now; returns the agent ids revoked since the previous poll. */
  check(): string[];
  stop(): void;
}

export function watchRevocations(
  agents: Pick<AgentStore, 'revocationCursor' | 'revocationsAfter'>,
  onRevoked: (agentId: string) => void,
  options: { intervalMs?: number; onError?: (error: Error) => void } = {},
): RevocationWatcher {
  let cursor = agents.revocationCursor();
  const check = () => {
    const revoked: string[] = [];
    for (let page = agents.revocationsAfter(cursor); page.agentIds.length > 0; page = agents.revocationsAfter(cursor)) {
      cursor = page.cursor;
      revoked.push(...page.agentIds);
    }
    for (const agentId of revoked) onRevoked(agentId);
    return revoked;
  };
  // A failing poll (the database busy past its timeout, say) is reported and retried at the next tick.
  const timer = setInterval(() => {
    try {
      check();
    } catch (error) {
      options.onError?.(error as Error);
    }
  }, options.intervalMs ?? REVOCATION_POLL_MS);
  timer.unref();
  return { check, stop: () => clearInterval(timer) };
}
