// Changes from a push that shows the desk ticket as it is now (HaloPSA, ConnectWise; ServiceNow without the previous
// state) rather than what changed: its status decides acknowledged, planned or resolved; a status that is none of
// the resolved ones reads as "open", an inferred reopen (applied only when it can only mean one: apply.ts); its
// priority is recorded once per value (apply.ts drops a repeat).
import { listed, type DeskTicketChange } from './contract.js';

export interface Snapshot {
  remoteId: string;
  at: number;
  by?: string;
  /** The status as the desk names it (a name, or an id as text). */
  status?: string;
  /** Shown in the ticket's history instead of `status` (a status id's name, when the push has it). */
  statusName?: string;
  /** True when the desk's own flag says closed, whatever the status list says (ConnectWise closedFlag). */
  closed?: boolean;
  deskPriority?: string;
}

export interface StatusLists {
  acknowledged: ReadonlyArray<string | number>;
  planned: ReadonlyArray<string | number>;
  resolved: ReadonlyArray<string | number>;
}

export function snapshotChanges(s: Snapshot, lists: StatusLists): DeskTicketChange[] {
  const base = { remoteId: s.remoteId, at: s.at, ...(s.by ? { by: s.by } : {}) };
  const status = s.statusName ?? s.status;
  const shown = status ? { status } : {};
  const out: DeskTicketChange[] = [];
  if (s.status !== undefined || s.closed !== undefined) {
    if (s.closed === true || listed(lists.resolved, s.status)) out.push({ ...base, change: 'resolved', ...shown });
    else {
      out.push({ ...base, change: 'reopened', inferred: true, ...shown });
      if (listed(lists.planned, s.status)) out.push({ ...base, change: 'planned', ...shown });
      else if (listed(lists.acknowledged, s.status)) out.push({ ...base, change: 'acknowledged', ...shown });
    }
  }
  if (s.deskPriority) out.push({ ...base, change: 'priority', deskPriority: s.deskPriority });
  return out;
}
