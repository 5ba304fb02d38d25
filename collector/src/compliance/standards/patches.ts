// patches: no security or critical update pending longer than the tenant's limit (default 14 days), and, while
// updates are pending, one installed within its limit (default 35 days). How long an update has been pending is
// counted from the first `patches_pending` point that listed it (the engine keeps that per host and update), so it is
// the time Watchpost has seen it missing, never longer than the machine really missed it.
import type { Judgement, Standard } from '../contract.js';
import { age, day, evidenceOf, num } from './fields.js';

const SUMMARY_FIELDS = ['pending_total', 'pending_security', 'pending_critical', 'last_success', 'last_search'];

export const patches: Standard = {
  id: 'patches',
  title: 'Security patches current',
  reads: ['patches', 'patches_pending'],
  appliesTo: () => true,
  evaluate(host, t, now): Judgement {
    const summary = host.summary('patches');
    if (!summary) return { verdict: 'unknown', reason: 'no patches point yet' };
    const evidence = evidenceOf(summary, SUMMARY_FIELDS);
    const overdue = host.pendingUpdates.filter((u) => now - u.firstSeen > t.patchMaxPendingMs).sort((a, b) => a.firstSeen - b.firstSeen);
    if (overdue.length > 0) {
      const oldest = overdue[0]!;
      const n = overdue.length;
      const what = `${n} security/critical update${n === 1 ? '' : 's'} pending longer than ${age(t.patchMaxPendingMs)}`;
      return { verdict: 'fail', reason: `${what} (oldest: ${oldest.title}, pending since ${day(oldest.firstSeen)})`, evidence };
    }
    const lastSuccess = num(summary, 'last_success');
    const pending = num(summary, 'pending_total') ?? 0;
    // A host with nothing to install has nothing to have installed: the install age counts only while updates wait.
    if (pending > 0 && lastSuccess !== undefined && now - lastSuccess * 1000 > t.patchMaxSinceInstallMs) {
      return {
        verdict: 'fail',
        reason: `no update installed for ${age(now - lastSuccess * 1000)} (last on ${day(lastSuccess * 1000)}) with ${pending} pending`,
        evidence,
      };
    }
    const waiting = host.pendingUpdates.length;
    return {
      verdict: 'pass',
      reason:
        waiting === 0
          ? 'no security or critical update pending'
          : `${waiting} security/critical update${waiting === 1 ? '' : 's'} pending, none longer than ${age(t.patchMaxPendingMs)}`,
      evidence,
    };
  },
};
