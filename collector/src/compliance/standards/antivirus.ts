// antivirus: a product is on, with real-time protection and signatures no older than the tenant's limit (default 3
// days); firewall_apps: no third-party firewall registered beside the OS's own.
//
// A product point counts while it is fresh (PRODUCT_FRESH_MS): the probe writes one per product per run (hourly) and
// nothing when a product is gone. A host whose probe runs (its `agent_probe` point counts successful runs) and writes
// no fresh product has none: that fails, where it used to produce no point at all.
import type { RuleSample } from '../../alerting/contract.js';
import type { HostView, Judgement, Standard } from '../contract.js';
import { age, bool, DAY_MS, evidenceOf, HOUR_MS, num, str } from './fields.js';

/** Three missed runs of the hourly default: a product not reported for this long is no longer there. */
export const PRODUCT_FRESH_MS = 3 * HOUR_MS;

const AV_FIELDS = ['state', 'enabled', 'realtime', 'up_to_date', 'signature_age_days', 'signature_updated'];

const fresh = (points: readonly RuleSample[], now: number) => points.filter((p) => now - p.time <= PRODUCT_FRESH_MS);

/** The antivirus probe's latest run stats when it has completed a run and reported recently. */
function probeRan(host: HostView, now: number): RuleSample | undefined {
  const stats = host.points('agent_probe').find((p) => p.tags.probe === 'antivirus');
  if (!stats || now - stats.time > PRODUCT_FRESH_MS) return undefined;
  return (num(stats, 'runs') ?? 0) > (num(stats, 'errors') ?? 0) + (num(stats, 'timeouts') ?? 0) ? stats : undefined;
}

/** The signature age now: from its update time, else the reported age plus the time since the point. */
function signatureAgeMs(p: RuleSample, now: number): number | undefined {
  const updated = num(p, 'signature_updated');
  if (updated !== undefined) return now - updated * 1000;
  const days = num(p, 'signature_age_days');
  return days === undefined ? undefined : days * DAY_MS + (now - p.time);
}

/** Why this product does not protect the host, '' when it does, or null when its state cannot be read. */
function shortfall(p: RuleSample, maxAgeMs: number, now: number): string | null {
  const state = str(p, 'state');
  if (state === 'unknown') return null;
  if (state !== 'on') return `is ${state || 'not on'}`;
  if (bool(p, 'realtime') === false) return 'has real-time protection off';
  const sigAge = signatureAgeMs(p, now);
  if (sigAge !== undefined) return sigAge > maxAgeMs ? `has signatures ${age(sigAge)} old` : '';
  return bool(p, 'up_to_date') === false ? 'reports its signatures out of date' : '';
}

export const antivirus: Standard = {
  id: 'antivirus',
  title: 'Anti-malware on and current',
  reads: ['antivirus', 'agent_probe'],
  appliesTo: () => true,
  evaluate(host, t, now): Judgement {
    const products = fresh(host.points('antivirus'), now);
    if (products.length === 0) {
      const ran = probeRan(host, now);
      if (ran)
        return {
          verdict: 'fail',
          reason: 'the antivirus probe runs and reports no protection product',
          evidence: evidenceOf(ran, ['runs', 'errors', 'samples']),
        };
      return { verdict: 'unknown', reason: 'no antivirus point, and no completed run of the antivirus probe reported recently' };
    }
    const judged = products.map((p) => ({ p, why: shortfall(p, t.avMaxSignatureAgeMs, now) }));
    const good = judged.find((j) => j.why === '');
    if (good) return { verdict: 'pass', reason: `${good.p.tags.product} is on, real-time, signatures current`, evidence: evidenceOf(good.p, AV_FIELDS) };
    const unreadable = judged.find((j) => j.why === null);
    if (unreadable)
      return {
        verdict: 'unknown',
        reason: `${unreadable.p.tags.product} is installed; its state cannot be read`,
        evidence: evidenceOf(unreadable.p, AV_FIELDS),
      };
    const first = judged[0]!;
    const all = judged.map((j) => `${j.p.tags.product} ${j.why}`).join('; ');
    return { verdict: 'fail', reason: all, evidence: evidenceOf(first.p, AV_FIELDS) };
  },
};

/** Security Center, where third-party firewalls register, exists on Windows clients only. */
const readsFirewalls = (host: HostView) => host.family === 'windows' && host.productType === 'workstation';

export const firewallApps: Standard = {
  id: 'firewall_apps',
  title: "No personal firewall beside the OS's",
  reads: ['firewall_products', 'agent_probe'],
  appliesTo: () => true,
  evaluate(host, _t, now): Judgement {
    const found = fresh(host.points('firewall_products'), now);
    if (found.length > 0) {
      const names = found.map((p) => `${p.tags.product}${bool(p, 'enabled') === false ? ' (off)' : ''}`).join(', ');
      return { verdict: 'fail', reason: `third-party firewall installed: ${names}`, evidence: evidenceOf(found[0]!, ['state', 'enabled', 'third_party']) };
    }
    if (!readsFirewalls(host)) return { verdict: 'unknown', reason: 'third-party firewalls are detected on Windows clients only' };
    const ran = probeRan(host, now);
    if (!ran) return { verdict: 'unknown', reason: 'no completed run of the antivirus probe reported recently' };
    return { verdict: 'pass', reason: 'no third-party firewall registered with Security Center', evidence: evidenceOf(ran, ['runs', 'errors']) };
  },
};
