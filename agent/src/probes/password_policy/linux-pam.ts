// The Linux password policy, read from files only (no process): the PAM password stack (Debian/Ubuntu/SUSE
// common-password, RHEL/Fedora/Arch system-auth) decides which module checks a new password, pwquality.conf and its
// .d drop-ins or the module's own arguments say what it requires, the PAM auth stack's pam_faillock (or the older
// pam_tally2) and faillock.conf say when an account locks, and login.defs gives the password ages. Module arguments
// override the configuration files, as the modules read them. Defaults are the modules' documented ones.
import { COMPLEXITY_CLASSES, type PasswordPolicy } from './policy.js';

/** pam_pwquality's defaults (libpwquality, as the pwquality.conf Debian and RHEL ship documents them). */
const PWQUALITY_DEFAULTS = { minlen: 8, dcredit: 0, ucredit: 0, lcredit: 0, ocredit: 0, minclass: 0 };
/** pam_cracklib(8): it reads no configuration file, only its arguments. */
const CRACKLIB_DEFAULTS = { minlen: 9, dcredit: 1, ucredit: 1, lcredit: 1, ocredit: 1, minclass: 0 };
/** pam_unix(8): "minlen=n ... The default value is 6." */
const UNIX_MINLEN_DEFAULT = 6;
/** pam_pwhistory(8): "remember=N ... The default is 10." */
const PWHISTORY_REMEMBER_DEFAULT = 10;
/** faillock.conf(5): deny 3, unlock_time 600 s, fail_interval 900 s. */
const FAILLOCK_DEFAULTS = { deny: 3, unlock_time: 600, fail_interval: 900 };
/** login.defs(5) values of PASS_MAX_DAYS that mean "never expires": -1 (or absent) and the customary 99999. */
const NEVER_EXPIRES_DAYS = 99999;

export type Settings = Map<string, string | true>;

export interface PamEntry {
  type: string;
  control: string;
  /** The module's file name without `.so` and directory: `pam_unix`. */
  module: string;
  args: Settings;
}

/** `key=value` and bare flags, as PAM module arguments and pwquality.conf / faillock.conf lines carry them. */
function setting(into: Settings, token: string): void {
  const eq = token.indexOf('=');
  if (eq === -1) into.set(token.trim(), true);
  else into.set(token.slice(0, eq).trim(), token.slice(eq + 1).trim());
}

/** Lines of a file without comments (`#` to the end of the line) and with `\`-continued lines joined. */
function logicalLines(text: string): string[] {
  return text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter((line) => line !== '');
}

/** Whitespace-separated tokens, a `[...]` group (a control, an argument with spaces) kept as one. */
function tokens(line: string): string[] {
  return line.match(/\[[^\]]*\]|\S+/g) ?? [];
}

/** A pam.d file: `type control module-path args...`; `-type` (skip if the module is missing) counts as `type`,
 *  `@include` lines are left out. */
export function parsePamStack(text: string): PamEntry[] {
  const entries: PamEntry[] = [];
  for (const line of logicalLines(text)) {
    const [type, control, path, ...rest] = tokens(line);
    if (!type || !control || !path || type.startsWith('@')) continue;
    const args: Settings = new Map();
    for (const arg of rest) setting(args, arg.replace(/^\[(.*)\]$/, '$1'));
    entries.push({ type: type.replace(/^-/, '').toLowerCase(), control, module: path.replace(/^.*\//, '').replace(/\.so$/, ''), args });
  }
  return entries;
}

/** pwquality.conf, faillock.conf, pwhistory.conf: `key = value` lines and bare flags. */
export function parseConf(text: string): Settings {
  const out: Settings = new Map();
  for (const line of logicalLines(text)) setting(out, line);
  return out;
}

/** login.defs: `NAME value` lines. */
export function parseLoginDefs(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of logicalLines(text)) {
    const m = /^(\S+)\s+(.*)$/.exec(line);
    if (m) out.set(m[1]!, m[2]!.trim());
  }
  return out;
}

const integer = (value: string | true | undefined): number | undefined => (typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : undefined);

/** Numeric settings over their defaults, each source overriding the ones before it. */
function merged<T extends Record<string, number>>(defaults: T, ...sources: readonly Settings[]): T {
  const out: Record<string, number> = { ...defaults };
  for (const source of sources) {
    for (const key of Object.keys(defaults)) {
      const value = integer(source.get(key));
      if (value !== undefined) out[key] = value;
    }
  }
  return out as T;
}

export interface LinuxPolicyFiles {
  loginDefs?: string;
  /** common-password or system-auth. */
  passwordStack?: string;
  /** common-auth or system-auth. */
  authStack?: string;
  /** pwquality.conf, then pwquality.conf.d/*.conf in lexical order (later files override earlier ones). */
  pwquality: readonly string[];
  faillock?: string;
  pwhistory?: string;
}

interface QualityRules {
  module: string;
  minLength: number;
  minClasses: number;
}

/** What the password stack's quality module requires: its minimum length and the character classes (minclass, or
 *  one class per negative credit, whichever is more). */
function quality(password: readonly PamEntry[], files: LinuxPolicyFiles): QualityRules | undefined {
  const entry = password.find((e) => e.module === 'pam_pwquality' || e.module === 'pam_cracklib');
  if (!entry) return undefined;
  const rules =
    entry.module === 'pam_pwquality' ? merged(PWQUALITY_DEFAULTS, ...files.pwquality.map(parseConf), entry.args) : merged(CRACKLIB_DEFAULTS, entry.args);
  const required = [rules.dcredit, rules.ucredit, rules.lcredit, rules.ocredit].filter((credit) => credit < 0).length;
  return { module: entry.module, minLength: rules.minlen, minClasses: Math.max(rules.minclass, required) };
}

function history(password: readonly PamEntry[], files: LinuxPolicyFiles): number {
  const unix = integer(password.find((e) => e.module === 'pam_unix')?.args.get('remember')) ?? 0;
  const pwhistory = password.find((e) => e.module === 'pam_pwhistory');
  if (!pwhistory) return unix;
  const conf = files.pwhistory ? parseConf(files.pwhistory) : new Map();
  const remember = integer(pwhistory.args.get('remember')) ?? integer(conf.get('remember')) ?? PWHISTORY_REMEMBER_DEFAULT;
  return Math.max(unix, remember);
}

type Lockout = Pick<PasswordPolicy, 'lockoutThreshold' | 'lockoutDurationSeconds' | 'lockoutWindowSeconds'>;

/** pam_faillock in the auth stack (its arguments over faillock.conf over the defaults; `unlock_time=never` = 0), else
 *  pam_tally2 (no lockout without `deny`, locked until reset without `unlock_time`), else no lockout. */
function lockout(auth: readonly PamEntry[], files: LinuxPolicyFiles): Lockout {
  const faillock = auth.filter((e) => e.module === 'pam_faillock');
  if (faillock.length > 0) {
    const sources: Settings[] = [files.faillock ? parseConf(files.faillock) : new Map(), ...faillock.map((e) => e.args)];
    const f = merged(FAILLOCK_DEFAULTS, ...sources.map((s): Settings => (s.get('unlock_time') === 'never' ? new Map([...s, ['unlock_time', '0']]) : s)));
    return { lockoutThreshold: Math.max(0, f.deny), lockoutDurationSeconds: Math.max(0, f.unlock_time), lockoutWindowSeconds: Math.max(0, f.fail_interval) };
  }
  const tally = auth.find((e) => e.module === 'pam_tally2');
  const deny = integer(tally?.args.get('deny')) ?? 0;
  if (!tally || deny <= 0) return { lockoutThreshold: 0 };
  return { lockoutThreshold: deny, lockoutDurationSeconds: Math.max(0, integer(tally.args.get('unlock_time')) ?? 0) };
}

/** The policy the files describe; `source` names the module that checks new passwords. */
export function linuxPolicy(files: LinuxPolicyFiles): PasswordPolicy {
  const defs = parseLoginDefs(files.loginDefs ?? '');
  const password = parsePamStack(files.passwordStack ?? '').filter((e) => e.type === 'password');
  const auth = parsePamStack(files.authStack ?? '').filter((e) => e.type === 'auth');
  const rules = quality(password, files);
  const unix = password.find((e) => e.module === 'pam_unix');
  const unixMin = unix ? (integer(unix.args.get('minlen')) ?? UNIX_MINLEN_DEFAULT) : undefined;
  // Every module in the stack must accept the password, so the longest minimum is the one that holds.
  const minLength = rules || unixMin !== undefined ? Math.max(rules?.minLength ?? 0, unixMin ?? 0) : (integer(defs.get('PASS_MIN_LEN')) ?? 0);
  const minClasses = rules?.minClasses ?? 0;
  const maxDays = integer(defs.get('PASS_MAX_DAYS'));
  return {
    source: rules?.module ?? (unix ? 'pam_unix' : 'none'),
    minLength,
    complexity: minClasses >= COMPLEXITY_CLASSES,
    minClasses,
    maxAgeDays: maxDays === undefined || maxDays < 0 || maxDays >= NEVER_EXPIRES_DAYS ? 0 : maxDays,
    minAgeDays: Math.max(0, integer(defs.get('PASS_MIN_DAYS')) ?? 0),
    history: history(password, files),
    ...lockout(auth, files),
  };
}
