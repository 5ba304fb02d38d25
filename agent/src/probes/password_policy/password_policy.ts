// probes/password_policy/: this probe, its one sample shape (policy.ts) and the parsers of each platform's source:
// the secedit export (secedit-inf.ts), PAM and login.defs (linux-pam.ts), pwpolicy's property list
// (pwpolicy-plist.ts) and domain membership (domain-membership.ts).
//
// password_policy: the local password and lockout policy, one `password_policy` point per run, with whether the
// machine is domain-joined (its domain accounts then follow the domain's policy).
//   Windows: ONE PowerShell request (Win32_ComputerSystem: PartOfDomain, Domain), then `secedit /export` of the
//            security policy into a fresh directory that only SYSTEM and Administrators can open (see seceditExport).
//   Linux:   files only: login.defs, the PAM password and auth stacks, pwquality.conf (+ .d), faillock.conf,
//            pwhistory.conf; SSSD / Samba configuration for domain membership.
//   macOS:   `pwpolicy -getaccountpolicies`; `dsconfigad -show` for an Active Directory binding.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SampleDraft } from '../../sample.js';
import type { Probe, ProbeContext } from '../probe.js';
import { linuxMembership, macMembership, windowsMembership, type WindowsComputerSystem } from './domain-membership.js';
import { linuxPolicy } from './linux-pam.js';
import { passwordPolicySample, type DomainMembership } from './policy.js';
import { pwpolicyPolicy } from './pwpolicy-plist.js';
import { decodeInf, seceditPolicy } from './secedit-inf.js';

const DEFAULT_SCHEDULE = '0 0 */12 * * *'; // twice a day: a policy changes by an administrator's hand, rarely
const POWERSHELL_TIMEOUT_MS = 25_000;
/** secedit takes a second or two; a minute allows for a loaded server. */
const SECEDIT_TIMEOUT_MS = 60_000;
/** The worker request, icacls and secedit one after the other, with a margin over the scheduler's default 30 s. */
const PROBE_TIMEOUT_MS = POWERSHELL_TIMEOUT_MS + SECEDIT_TIMEOUT_MS + 15_000;
/** SYSTEM and Administrators, by SID so that it works in every display language. */
const PRIVATE_ACL = ['/inheritance:r', '/grant:r', '*S-1-5-18:(OI)(CI)F', '*S-1-5-32-544:(OI)(CI)F'];

/** PowerShell 5.1: whether the machine is joined to a domain, and which. */
export const WINDOWS_DOMAIN_SCRIPT = `
$ErrorActionPreference = 'Stop'
Get-CimInstance -ClassName Win32_ComputerSystem | Select-Object PartOfDomain, Domain | ConvertTo-Json -Compress
`;

export interface PasswordPolicyProbeOptions {
  platform?: NodeJS.Platform;
  /** Linux: prefix of the files read (tests point it at a captured tree). */
  root?: string;
  /** Windows: where the secedit export's private directory is made; default WATCHPOST_STATE_DIR (the service's
   *  state directory, SYSTEM and Administrators only), else the system's temporary directory. */
  scratchDir?: string;
}

/** A file's text; undefined when it does not exist. Other errors (permissions) are thrown. */
async function optional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '')) return undefined;
    throw error;
  }
}

async function first(paths: readonly string[]): Promise<string | undefined> {
  for (const path of paths) {
    const text = await optional(path);
    if (text !== undefined) return text;
  }
  return undefined;
}

/** The `*.conf` files of a drop-in directory, in lexical order (the order their readers apply them). */
async function dropIns(dir: string): Promise<string[]> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.conf')).sort();
  const texts = await Promise.all(names.map((n) => optional(join(dir, n))));
  return texts.filter((t): t is string => t !== undefined);
}

async function linux(root: string): Promise<SampleDraft[]> {
  const etc = (path: string) => join(root, 'etc', path);
  const policy = linuxPolicy({
    loginDefs: await optional(etc('login.defs')),
    passwordStack: await first([etc('pam.d/common-password'), etc('pam.d/system-auth')]),
    authStack: await first([etc('pam.d/common-auth'), etc('pam.d/system-auth')]),
    pwquality: [
      ...[await optional(etc('security/pwquality.conf'))].filter((t): t is string => t !== undefined),
      ...(await dropIns(etc('security/pwquality.conf.d'))),
    ],
    faillock: await optional(etc('security/faillock.conf')),
    pwhistory: await optional(etc('security/pwhistory.conf')),
  });
  // sssd.conf is root-only; an agent that cannot read it cannot tell, and says nothing rather than "not joined".
  const membership = await Promise.all([optional(etc('sssd/sssd.conf')), dropIns(etc('sssd/conf.d')), optional(etc('samba/smb.conf'))]).then(
    ([sssd, extra, smb]): DomainMembership => linuxMembership([...(sssd === undefined ? [] : [sssd]), ...extra], smb),
    () => undefined,
  );
  return [passwordPolicySample(policy, membership)];
}

async function darwin(ctx: ProbeContext): Promise<SampleDraft[]> {
  const { stdout } = await ctx.runner('pwpolicy', ['-getaccountpolicies'], { signal: ctx.signal });
  const membership = await ctx.runner('dsconfigad', ['-show'], { signal: ctx.signal }).then(
    (r) => macMembership(r.stdout),
    () => undefined,
  );
  return [passwordPolicySample(pwpolicyPolicy(stdout), membership)];
}

/**
 * `secedit /export` writes a file, as SYSTEM. It writes into a directory made for this run whose ACL is narrowed to
 * SYSTEM and Administrators before secedit starts, and which must still be empty then: under a parent that others
 * may write to (the temporary directory), a file or link planted under the export's name would otherwise redirect
 * a SYSTEM write. The directory is removed whatever happens.
 */
export async function seceditExport(ctx: ProbeContext, scratchDir: string): Promise<string> {
  const dir = await mkdtemp(join(scratchDir, 'watchpost-secedit-'));
  try {
    await ctx.runner('icacls.exe', [dir, ...PRIVATE_ACL], { signal: ctx.signal });
    const planted = await readdir(dir);
    if (planted.length > 0) throw new Error(`password_policy: ${dir} was not empty before the export (${planted.join(', ')}); not exporting`);
    const file = join(dir, 'policy.inf');
    await ctx.runner('secedit.exe', ['/export', '/cfg', file, '/areas', 'SECURITYPOLICY', '/quiet'], { signal: ctx.signal, timeoutMs: SECEDIT_TIMEOUT_MS });
    return decodeInf(await readFile(file));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function windows(ctx: ProbeContext, scratchDir: string): Promise<SampleDraft[]> {
  if (!ctx.powershell) throw new Error('password_policy: the PowerShell worker is not available');
  const cs = await ctx.powershell.run<WindowsComputerSystem | null>(WINDOWS_DOMAIN_SCRIPT, { timeoutMs: POWERSHELL_TIMEOUT_MS, signal: ctx.signal });
  return [passwordPolicySample(seceditPolicy(await seceditExport(ctx, scratchDir)), windowsMembership(cs))];
}

type Collector = (ctx: ProbeContext) => Promise<SampleDraft[]>;

const collectors: Partial<Record<NodeJS.Platform, (o: PasswordPolicyProbeOptions) => Collector>> = {
  win32: (o) => (ctx) => windows(ctx, o.scratchDir ?? (process.env.WATCHPOST_STATE_DIR || tmpdir())),
  linux: (o) => () => linux(o.root ?? '/'),
  darwin: () => darwin,
};

export function createPasswordPolicyProbe(options: PasswordPolicyProbeOptions = {}): Probe {
  const collect = collectors[options.platform ?? process.platform]?.(options) ?? (async () => []);
  return { name: 'password_policy', schedule: DEFAULT_SCHEDULE, timeoutMs: PROBE_TIMEOUT_MS, collect };
}
