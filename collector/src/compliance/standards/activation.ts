// activation: Windows is activated (legal licensing, as far as the OS can show it). Add-on licenses (Extended
// Security Updates) do not count; the edition's own license does.
import type { Judgement, Standard } from '../contract.js';
import { bool, evidenceOf, str } from './fields.js';

const FIELDS = ['status', 'licensed', 'channel', 'status_reason'];

export const activation: Standard = {
  id: 'activation',
  title: 'Windows activated',
  reads: ['activation'],
  // Before the first inventory the family is '': the standard applies (unknown) until the OS is known.
  appliesTo: (h) => h.family === 'windows' || h.family === '',
  evaluate(host): Judgement {
    const points = host.points('activation').filter((p) => bool(p, 'addon') !== true);
    if (points.length === 0) return { verdict: 'unknown', reason: 'no activation point yet' };
    const licensed = points.find((p) => bool(p, 'licensed') === true);
    if (licensed)
      return {
        verdict: 'pass',
        reason: `${licensed.tags.product} is licensed (${str(licensed, 'channel') || 'channel unknown'})`,
        evidence: evidenceOf(licensed, FIELDS),
      };
    const p = points[0]!;
    const status = str(p, 'status');
    if (status === 'no_key') return { verdict: 'fail', reason: 'no Windows product key installed', evidence: evidenceOf(p, FIELDS) };
    if (status === 'unknown') return { verdict: 'unknown', reason: `${p.tags.product}: license status unknown`, evidence: evidenceOf(p, FIELDS) };
    return { verdict: 'fail', reason: `${p.tags.product} is not activated (${status})`, evidence: evidenceOf(p, FIELDS) };
  },
};
