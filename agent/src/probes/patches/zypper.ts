// SUSE: `zypper --xmlout list-patches`. Pure parser. zypper's XML is stable across versions and locales, unlike
// its tables; a regex over the <update> start tags is enough for the attributes read here (no XML dependency).
import { isCritical, type PendingUpdate } from './patch-report.js';

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const decode = (s: string): string => s.replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => ENTITIES[e] ?? '');

function attributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([\w-]+)="([^"]*)"/g)) out[m[1] ?? ''] = decode(m[2] ?? '');
  return out;
}

/**
 * Needed patches (status="needed"; list-patches shows only those unless --all). Security = category "security";
 * critical = severity "critical". The title is the patch summary, `kb` the patch name (openSUSE-Leap-16.0-112).
 * Throws when the output holds no <update-status> at all (not zypper XML: an error page, a lock message).
 */
export function parseZypperPatches(xml: string): PendingUpdate[] {
  if (!xml.includes('<update-status')) throw new Error('no <update-status> element in zypper output');
  const updates: PendingUpdate[] = [];
  const starts = [...xml.matchAll(/<update\s([^>]*?)\/?>/g)];
  starts.forEach((start, i) => {
    const a = attributes(start[1] ?? '');
    if (a.kind !== 'patch' || (a.status !== undefined && a.status !== 'needed')) return;
    const end = starts[i + 1]?.index ?? xml.length;
    const body = xml.slice((start.index ?? 0) + start[0].length, end);
    const summary = /<summary>([^<]*)<\/summary>/.exec(body)?.[1];
    const category = a.category ?? '';
    updates.push({
      title: summary ? decode(summary) : (a.name ?? ''),
      kb: a.name ?? '',
      ...(a.severity ? { severity: a.severity } : {}),
      category,
      version: a.edition ?? '',
      security: category === 'security',
      critical: isCritical(a.severity),
    });
  });
  return updates;
}
