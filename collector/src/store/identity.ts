// Identity strings: what an agent says it is (hostname, OS, architecture, version) and the tenant it belongs to.
// They become InfluxDB tag values (`host`, `tenant`), ticket titles, log fields and table cells, so one rule set
// checks them wherever they enter: enrollment, Hello, the store, and the admin's rename. The rules live in the store,
// which refuses a bad name whoever writes it; the agent link and the routes use them through the store's index.
//
// Hostnames are what os.hostname() reports on Windows, macOS and Linux, bare or as an FQDN: letters, digits, '-',
// '.' and '_', starting with a letter or a digit. Decision: letters of every script are allowed, because
//  1. Windows accepts any Unicode letter in a computer name (it only warns that DNS may not resolve it) and
//     reports the name as such, so a client's "BÜRO-PC" or "経理-PC" is a real machine's real name;
//  2. a letter is harmless as a tag value, in a ticket or in a terminal: what breaks line protocol, logs and
//     tables is control characters (CR, LF, TAB, NUL), whitespace, quotes, ',', '=' and the backslash, and
//     invisible format characters (bidi overrides, zero-width joiners), all refused here.
// '_' stays because NetBIOS names, and so many Windows machines, use it. Hostnames are compared without regard to
// case (Windows treats "WS-01" and "ws-01" as one machine) and to Unicode compatibility forms: hostnameKey.
import { TENANT_ID_RE } from './tenants.js';

/** The longest DNS name. */
export const MAX_HOSTNAME_LENGTH = 253;
/** os, arch and agent version: process.platform, process.arch and a semver with its pre-release and build. */
export const MAX_TOKEN_LENGTH = 64;

export type IdentityField = 'hostname' | 'os' | 'arch' | 'agentVersion' | 'tenant';

const HOSTNAME_RE = /^[\p{L}\p{N}][\p{L}\p{M}\p{N}._-]*$/u;
const TOKEN_RE = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

const RULES: Record<IdentityField, { max: number; pattern: RegExp; expected: string }> = {
  hostname: { max: MAX_HOSTNAME_LENGTH, pattern: HOSTNAME_RE, expected: "letters, digits, '-', '.' or '_', starting with a letter or digit" },
  os: { max: MAX_TOKEN_LENGTH, pattern: TOKEN_RE, expected: "ASCII letters, digits, '.', '_', '+' or '-'" },
  arch: { max: MAX_TOKEN_LENGTH, pattern: TOKEN_RE, expected: "ASCII letters, digits, '.', '_', '+' or '-'" },
  agentVersion: { max: MAX_TOKEN_LENGTH, pattern: TOKEN_RE, expected: "ASCII letters, digits, '.', '_', '+' or '-'" },
  tenant: { max: 63, pattern: TENANT_ID_RE, expected: "lowercase letters, digits or '-', not starting with '-'" },
};

const codePoint = (c: string): string => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * Why `value` is not a valid `field`, as "<field> <problem>", or null when it is. The message never quotes the
 * value (it may hold what a log or a close reason must not carry); it names an offending character by code point.
 */
export function identityProblem(field: IdentityField, value: unknown): string | null {
  const rule = RULES[field];
  if (typeof value !== 'string') return `${field} must be a string`;
  if (value.trim() === '') return `${field} must not be empty or blank`;
  if (value !== value.trim()) return `${field} must not start or end with whitespace`;
  if ([...value].length > rule.max) return `${field} must be at most ${rule.max} characters`;
  if (rule.pattern.test(value)) return null;
  const control = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.exec(value)?.[0];
  if (control) return `${field} must not contain a control or format character (${codePoint(control)})`;
  if (value.includes('\\')) return `${field} must not contain a backslash`;
  return `${field} must be ${rule.expected}`;
}

/** The form two hostnames are compared in: "WS-01", "ws-01" and "ｗｓ-01" are one name. */
export function hostnameKey(hostname: string): string {
  return hostname.normalize('NFKC').toLowerCase();
}
