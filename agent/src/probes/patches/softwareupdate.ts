// macOS: `softwareupdate --list`. Pure parser for both layouts Apple has shipped:
//   10.15+:  `* Label: Safari14.0CatalinaAuto-14.0` then `\tTitle: Safari, Version: 14.0, Size: 65417K, Recommended: YES, Action: restart,`
//   <=10.14: `* Safari14.0MojaveAuto-14.0` then `\tSafari (14.0), 67309K [recommended] [restart]`
import type { PendingUpdate } from './patch-report.js';

export interface MacUpdate extends PendingUpdate {
  recommended: boolean;
  restart: boolean;
}

function fromKeyValues(label: string, line: string): MacUpdate | undefined {
  // Values may contain commas ("macOS Big Sur 11.1, ..."), so split only before a `Key:` that follows a comma.
  const pairs = new Map<string, string>();
  for (const part of line.split(/,\s*(?=[A-Z][A-Za-z ]*:\s)/)) {
    const m = /^([A-Z][A-Za-z ]*):\s*(.*?),?\s*$/.exec(part.trim());
    if (m) pairs.set(m[1] ?? '', m[2] ?? '');
  }
  const title = pairs.get('Title');
  if (title === undefined) return undefined;
  return {
    title,
    package: label,
    version: pairs.get('Version') ?? '',
    category: pairs.get('Recommended') === 'YES' ? 'recommended' : 'optional',
    recommended: pairs.get('Recommended') === 'YES',
    restart: /restart/i.test(pairs.get('Action') ?? ''),
    security: /security/i.test(title),
    critical: false,
  };
}

function fromLegacy(label: string, line: string): MacUpdate | undefined {
  const m = /^(.*?)\s*\(([^)]*)\),\s*\S+\s*(.*)$/.exec(line);
  if (!m) return undefined;
  const [, title = '', version = '', flags = ''] = m;
  const recommended = flags.includes('[recommended]');
  return {
    title,
    package: label,
    version,
    category: recommended ? 'recommended' : 'optional',
    recommended,
    restart: flags.includes('[restart]'),
    security: /security/i.test(title),
    critical: false,
  };
}

/** Items and the lines that could not be read. "No new software available." (stderr) simply yields no items.
 *  Security is inferred from the title ("Security Update 2021-001", "Rapid Security Response"): Apple's list has
 *  no classification, and a macOS point release that also fixes CVEs is not counted. */
export function parseSoftwareUpdateList(text: string): { updates: MacUpdate[]; errors: string[] } {
  const updates: MacUpdate[] = [];
  const errors: string[] = [];
  let label: string | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const item = /^[*-]\s+(?:Label:\s*)?(.+)$/.exec(line);
    if (item) {
      label = item[1];
      continue;
    }
    if (label === undefined || line === '') continue;
    const update = line.startsWith('Title:') ? fromKeyValues(label, line) : fromLegacy(label, line);
    if (update) updates.push(update);
    else errors.push(line);
    label = undefined;
  }
  return { updates, errors };
}
