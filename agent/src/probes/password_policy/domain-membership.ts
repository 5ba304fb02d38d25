// Whether the machine belongs to a directory domain, per platform: Windows' Win32_ComputerSystem (from the
// PowerShell worker), Linux's SSSD or Samba configuration as `realm join` and `net ads join` leave it, macOS's
// `dsconfigad -show` (it prints nothing when the Mac is not bound to Active Directory).
import type { DomainMembership } from './policy.js';

/** Win32_ComputerSystem's PartOfDomain and Domain (a workgroup's name when not joined). */
export interface WindowsComputerSystem {
  PartOfDomain?: unknown;
  Domain?: unknown;
}

export function windowsMembership(cs: WindowsComputerSystem | null | undefined): DomainMembership | undefined {
  if (!cs || typeof cs.PartOfDomain !== 'boolean') return undefined;
  const domain = typeof cs.Domain === 'string' && cs.Domain.trim() !== '' ? cs.Domain.trim() : undefined;
  return { joined: cs.PartOfDomain, ...(cs.PartOfDomain && domain ? { domain } : {}) };
}

/** INI sections (`[name]`) of `key = value` lines, keys lower-cased; `#` and `;` start comments. */
function iniSections(text: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let current = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/^\s*[#;].*$/, '').trim();
    const header = /^\[(.+)\]$/.exec(line);
    if (header) sections.set(header[1]!.trim(), (current = sections.get(header[1]!.trim()) ?? new Map()));
    else {
      const pair = /^([^=]+?)\s*=\s*(.*)$/.exec(line);
      if (pair) current.set(pair[1]!.toLowerCase(), pair[2]!.trim());
    }
  }
  return sections;
}

/** SSSD domains served by a directory (`id_provider = ad` or `ipa`: what `realm join` writes), else Samba's
 *  `security = ads` (winbind). `sssd` holds sssd.conf and its conf.d files' texts. */
export function linuxMembership(sssd: readonly string[], smb: string | undefined): DomainMembership {
  for (const text of sssd) {
    for (const [name, keys] of iniSections(text)) {
      const m = /^domain\/(.+)$/.exec(name);
      const provider = keys.get('id_provider')?.toLowerCase();
      if (m && (provider === 'ad' || provider === 'ipa')) return { joined: true, domain: keys.get('ad_domain') ?? keys.get('ipa_domain') ?? m[1]! };
    }
  }
  const global = smb === undefined ? undefined : iniSections(smb).get('global');
  if (global?.get('security')?.toLowerCase() === 'ads') return { joined: true, ...(global.get('realm') ? { domain: global.get('realm')! } : {}) };
  return { joined: false };
}

/** `dsconfigad -show`: `Active Directory Domain          = corp.example.com` when bound, nothing otherwise. */
export function macMembership(output: string): DomainMembership {
  const domain = /^Active Directory Domain\s*=\s*(\S.*)$/m.exec(output)?.[1]?.trim();
  return domain ? { joined: true, domain } : { joined: false };
}
