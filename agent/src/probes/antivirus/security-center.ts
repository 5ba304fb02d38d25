// SecurityCenter2 AntiVirusProduct / FirewallProduct instances -> `antivirus` and `firewall_products` samples.
// Several products are normal: Defender stays registered (off) when a third-party AV is active.
import { int, type FieldValue, type SampleDraft } from '../../sample.js';
import { decodeProductState } from './av-product-state.js';

export interface ScProduct {
  displayName?: unknown;
  productState?: unknown;
  timestamp?: unknown;
}

/** ConvertTo-Json emits one object for one instance, an array for several, and nothing for none. */
export function asList<T>(value: T | T[] | null | undefined): T[] {
  if (value === null || value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function productName(p: ScProduct): string {
  return typeof p.displayName === 'string' && p.displayName.trim() !== '' ? p.displayName.trim() : 'unknown';
}

/** `timestamp` is an RFC 1123 string ("Mon, 18 Jun 2018 08:42:34 GMT"): when the product last reported to WSC. */
function reportedAt(p: ScProduct): number | undefined {
  const ms = typeof p.timestamp === 'string' ? Date.parse(p.timestamp) : NaN;
  return Number.isFinite(ms) ? Math.round(ms / 1000) : undefined;
}

export interface ScResult {
  samples: SampleDraft[];
  /** Products whose productState could not be decoded (reported with state "unknown"). */
  parseErrors: number;
}

export function antivirusProductSamples(products: ScProduct[]): ScResult {
  let parseErrors = 0;
  const samples = products.map((p): SampleDraft => {
    const decoded = decodeProductState(p.productState);
    if (!decoded) parseErrors++;
    const fields: Record<string, FieldValue> = { state: decoded?.state ?? 'unknown', source: 'securitycenter' };
    if (decoded) {
      fields.enabled = decoded.state === 'on';
      fields.realtime = decoded.state === 'on';
      fields.up_to_date = decoded.upToDate;
    }
    const at = reportedAt(p);
    if (at !== undefined) fields.reported_at = int(at);
    return { measurement: 'antivirus', tags: { product: productName(p) }, fields };
  });
  return { samples, parseErrors };
}

/** Firewalls registered with Security Center are third-party apps (Windows Firewall is not a FirewallProduct). */
export function firewallProductSamples(products: ScProduct[]): ScResult {
  let parseErrors = 0;
  const samples = products.map((p): SampleDraft => {
    const decoded = decodeProductState(p.productState);
    if (!decoded) parseErrors++;
    const fields: Record<string, FieldValue> = { state: decoded?.state ?? 'unknown', third_party: !(decoded?.microsoft ?? false) };
    if (decoded) fields.enabled = decoded.state === 'on';
    return { measurement: 'firewall_products', tags: { product: productName(p) }, fields };
  });
  return { samples, parseErrors };
}
