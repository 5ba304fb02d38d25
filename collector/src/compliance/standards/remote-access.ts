// remote_access: an enabled remote-access service (RDP, SSH) is not on its standard port, where every scanner on the
// internet knows to look. A service that is off, or not installed, passes; which services count is per tenant.
import type { Judgement, Standard } from '../contract.js';
import { bool, evidenceOf, num } from './fields.js';

const FIELDS = ['installed', 'enabled', 'listening', 'port', 'standard_port'];

export const remoteAccess: Standard = {
  id: 'remote_access',
  title: 'Remote access off its standard ports',
  reads: ['remote_access'],
  appliesTo: () => true,
  evaluate(host, t): Judgement {
    const points = host.points('remote_access').filter((p) => t.remoteAccessServices.includes(p.tags.service ?? ''));
    if (points.length === 0) return { verdict: 'unknown', reason: 'no remote_access point yet' };
    const on = (p: (typeof points)[number]) => bool(p, 'enabled') ?? bool(p, 'listening');
    const bad = points.filter((p) => on(p) === true && bool(p, 'standard_port') === true);
    if (bad.length > 0) {
      const names = bad.map((p) => `${p.tags.service} on port ${num(p, 'port') ?? '?'}`).join(', ');
      return { verdict: 'fail', reason: `enabled on the standard port: ${names}`, evidence: evidenceOf(bad[0]!, FIELDS) };
    }
    const unclear = points.find((p) => bool(p, 'installed') !== false && on(p) === undefined && bool(p, 'standard_port') === true);
    if (unclear)
      return {
        verdict: 'unknown',
        reason: `${unclear.tags.service} is on its standard port; whether it is enabled cannot be told`,
        evidence: evidenceOf(unclear, FIELDS),
      };
    const enabled = points.filter((p) => on(p) === true).map((p) => `${p.tags.service} on port ${num(p, 'port') ?? '?'}`);
    const reason =
      enabled.length > 0 ? `off the standard ports: ${enabled.join(', ')}` : `no remote access enabled (${points.map((p) => p.tags.service).join(', ')})`;
    return { verdict: 'pass', reason, evidence: evidenceOf(points[0]!, FIELDS) };
  },
};
