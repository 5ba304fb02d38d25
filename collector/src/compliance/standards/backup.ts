// backup: a backup succeeded within the tenant's limit: 26 hours on servers and critical hosts (a nightly job and
// a margin), 7 days on workstations. Read from the backup probe's per-host summary (`products`, `detectable`, the
// newest `last_success` of all products) and its product points (to name the product and tell presence-only ones).
import type { Judgement, Standard } from '../contract.js';
import { age, bool, day, evidenceOf, num, str } from './fields.js';

const SUMMARY_FIELDS = ['products', 'detectable', 'last_success', 'read_errors', 'message'];

export const backup: Standard = {
  id: 'backup',
  title: 'Backup succeeded recently',
  reads: ['backup'],
  appliesTo: () => true,
  evaluate(host, t, now): Judgement {
    const summary = host.summary('backup');
    if (!summary) return { verdict: 'unknown', reason: 'no backup point yet' };
    const evidence = evidenceOf(summary, SUMMARY_FIELDS);
    if (bool(summary, 'detectable') === false) return { verdict: 'unknown', reason: 'backups are not detectable on this platform', evidence };
    if ((num(summary, 'products') ?? 0) === 0) return { verdict: 'fail', reason: 'no backup product detected', evidence };
    const maxAge = host.role === 'server' || host.critical ? t.backupServerMaxAgeMs : t.backupWorkstationMaxAgeMs;
    const products = host.points('backup').filter((p) => p.tags.product && p.time >= summary.time);
    const last = num(summary, 'last_success');
    if (last !== undefined) {
      const newest = products.find((p) => num(p, 'last_success') === last);
      const by = newest ? ` (${newest.tags.product})` : '';
      const ago = now - last * 1000;
      return ago <= maxAge
        ? { verdict: 'pass', reason: `last successful backup ${age(ago)} ago${by}`, evidence }
        : { verdict: 'fail', reason: `last successful backup ${age(ago)} ago${by}, on ${day(last * 1000)}; the limit is ${age(maxAge)}`, evidence };
    }
    // No success anywhere: products that report results have none; presence-only ones cannot say.
    const reporting = products.filter((p) => str(p, 'detected_by') !== 'presence');
    if (reporting.length > 0 || products.length === 0) return { verdict: 'fail', reason: 'no successful backup recorded', evidence };
    const names = products.map((p) => p.tags.product).join(', ');
    return { verdict: 'unknown', reason: `${names} installed (presence only): its results are not readable`, evidence };
  },
};
