// raid and ups: on servers, a redundant array in good health and a UPS attached, from the raid and ups probes'
// per-host summaries. Their `status` already separates what is known from what cannot be seen: "unknown" stays
// unknown here, never pass.
import type { Judgement, Standard, Verdict } from '../contract.js';
import { evidenceOf, str } from './fields.js';

const serversOnly = (h: { role: string }) => h.role === 'server';

function fromStatus(measurement: string, verdicts: Readonly<Record<string, Verdict>>, words: Readonly<Record<string, string>>): Standard['evaluate'] {
  return (host): Judgement => {
    const s = host.summary(measurement);
    if (!s) return { verdict: 'unknown', reason: `no ${measurement} point yet` };
    const status = str(s, 'status');
    const reason = str(s, 'reason');
    const verdict = verdicts[status] ?? 'unknown';
    const word = words[status] ?? `status ${status || 'missing'}`;
    // The probe's own reason may already open with the same words ("no UPS seen: NUT not installed, ...").
    return {
      verdict,
      reason: !reason ? word : reason.toLowerCase().startsWith(word.toLowerCase()) ? reason : `${word}: ${reason}`,
      evidence: evidenceOf(s, ['status', 'reason']),
    };
  };
}

export const raid: Standard = {
  id: 'raid',
  title: 'Server disks in a healthy RAID',
  reads: ['raid'],
  appliesTo: serversOnly,
  evaluate: fromStatus(
    'raid',
    { healthy: 'pass', unhealthy: 'fail', none: 'fail', unknown: 'unknown' },
    { healthy: 'redundant arrays healthy', unhealthy: 'an array is not healthy', none: 'no redundant array', unknown: 'RAID state not detectable' },
  ),
};

/** not_seen fails: the contract asks for a UPS the host can show; a host shut down by software the probe does not know is waived. */
export const ups: Standard = {
  id: 'ups',
  title: 'Server on a UPS',
  reads: ['ups'],
  appliesTo: serversOnly,
  evaluate: fromStatus(
    'ups',
    { present: 'pass', not_seen: 'fail', unknown: 'unknown' },
    { present: 'UPS attached', not_seen: 'no UPS seen', unknown: 'UPS configured but not answering' },
  ),
};
