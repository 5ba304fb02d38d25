// `secedit /export /cfg FILE /areas SECURITYPOLICY` -> the Windows account policy. The export is an INF file whose
// `[System Access]` section names each setting with the same English key in every display language, which is why
// the probe reads it and not `net accounts`: that prints translated labels and values ("Never", "None" become
// "Nie", "Keine", ...) and has no line for password complexity. Ages are in days, lockout times in minutes (the
// units `net accounts` prints for the same values on the same machine).
import { COMPLEXITY_CLASSES, type PasswordPolicy } from './policy.js';

/** secedit writes UTF-16LE with a byte order mark (`Unicode=yes`); UTF-8, with or without one, is read too. */
export function decodeInf(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3).toString('utf8');
  return bytes.toString('utf8');
}

/** `[Section]` -> `Key = value` pairs (keys compared case-insensitively, as Windows does). */
export function parseInf(text: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      current = new Map();
      sections.set(header[1]!.toLowerCase(), current);
      continue;
    }
    const pair = /^([^=;]+?)\s*=\s*(.*)$/.exec(line);
    if (current && pair) current.set(pair[1]!.toLowerCase(), pair[2]!);
  }
  return sections;
}

const SECONDS_PER_MINUTE = 60;

/** The `[System Access]` account policy. -1 (and 0) for the maximum age means "never expires", for the lockout
 *  duration "until an administrator unlocks it": both become 0, the measurement's meaning for them. */
export function seceditPolicy(text: string): PasswordPolicy {
  const access = parseInf(text).get('system access');
  const number = (key: string): number | undefined => {
    const value = access?.get(key.toLowerCase());
    return value !== undefined && /^-?\d+$/.test(value) ? Number(value) : undefined;
  };
  const minLength = number('MinimumPasswordLength');
  const complexity = number('PasswordComplexity');
  if (minLength === undefined || complexity === undefined) {
    throw new Error(`password_policy: no MinimumPasswordLength/PasswordComplexity in the secedit export: ${text.slice(0, 200)}`);
  }
  const maxAge = number('MaximumPasswordAge');
  const minAge = number('MinimumPasswordAge');
  const threshold = Math.max(0, number('LockoutBadCount') ?? 0);
  const duration = number('LockoutDuration');
  const window = number('ResetLockoutCount');
  return {
    source: 'secedit',
    minLength,
    complexity: complexity === 1,
    minClasses: complexity === 1 ? COMPLEXITY_CLASSES : 0,
    ...(maxAge !== undefined ? { maxAgeDays: Math.max(0, maxAge) } : {}),
    ...(minAge !== undefined ? { minAgeDays: Math.max(0, minAge) } : {}),
    history: Math.max(0, number('PasswordHistorySize') ?? 0),
    lockoutThreshold: threshold,
    ...(duration !== undefined ? { lockoutDurationSeconds: Math.max(0, duration) * SECONDS_PER_MINUTE } : {}),
    ...(window !== undefined ? { lockoutWindowSeconds: Math.max(0, window) * SECONDS_PER_MINUTE } : {}),
  };
}
