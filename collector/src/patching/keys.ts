// What a pending update is called: its update key, the name people approve, decline and exclude it by (the same on
// every host of a tenant), and its install id, the name its package tool installs it by (what a plan carries).
//
//   manager          install id                                    update key
//   apt              the package                                   pkg:openssl
//   dnf, yum         the advisory when `kb` is one, else the package   adv:RHSA-2024:1234, pkg:openssl
//   zypper           the patch name (`kb`)                         patch:SUSE-SLE-Module-Basesystem-15-SP5-2024-1234
//   wua              the UpdateID, else the first KB               kb:KB5034441 (the first KB), wua:<guid> without one
//   softwareupdate   the label (`package`)                         label:macOS Sonoma 14.4.1-23E224
//
// A Windows update is approved by its KB, as a person reads it in Microsoft's bulletins, whichever of its per-product
// UpdateIDs a host lists. A package key names the package, not a version: approving pkg:openssl approves its next
// version too, while an automatic approval's deferral counts from the first sighting of the version a host lists.
import type { RuleSample } from '../alerting/contract.js';
import type { PatchManager } from './contract.js';

const MANAGERS: readonly string[] = ['apt', 'dnf', 'yum', 'zypper', 'wua', 'softwareupdate'];
/** dnf/yum advisory ids (agent/src/patching/plan.ts ITEM_ID_PATTERNS): RHSA-2024:1234, FEDORA-2024-1a2b3c, ALSA-2024:0001. */
export const ADVISORY = /^[A-Z][A-Z0-9]{1,15}-\d{4}[:-][A-Za-z0-9]{1,32}$/;
/** The prefixes of an update key, for checking what a person typed. */
export const KEY_PATTERN = /^(kb:KB\d{6,8}|pkg:\S{1,128}|adv:\S{1,64}|patch:\S{1,128}|wua:[0-9a-f-]{36}|label:.{1,128})$/;

export interface PendingUpdate {
  key: string;
  manager: PatchManager;
  installId: string;
  title: string;
  /** As reported: KBs comma-separated, the advisory, the patch name. */
  kb: string | null;
  package: string | null;
  version: string;
  security: boolean;
  critical: boolean;
}

const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);

/** The update a `patches_pending` point lists, or null when its tool is unknown or it names nothing installable. */
export function pendingUpdate(p: RuleSample): PendingUpdate | null {
  const manager = p.tags.source ?? '';
  if (!MANAGERS.includes(manager)) return null;
  const kb = text(p.fields.kb);
  const pkg = text(p.fields.package);
  const ids = idsOf(manager as PatchManager, kb, pkg, text(p.fields.update_id));
  if (!ids) return null;
  return {
    ...ids,
    manager: manager as PatchManager,
    title: text(p.fields.title) ?? ids.installId,
    kb,
    package: pkg,
    version: text(p.fields.version) ?? '',
    security: p.fields.security === true,
    critical: p.fields.critical === true,
  };
}

function idsOf(manager: PatchManager, kb: string | null, pkg: string | null, updateId: string | null): { key: string; installId: string } | null {
  switch (manager) {
    case 'apt':
      return pkg ? { key: `pkg:${pkg}`, installId: pkg } : null;
    case 'dnf':
    case 'yum':
      if (kb && ADVISORY.test(kb)) return { key: `adv:${kb}`, installId: kb };
      return pkg ? { key: `pkg:${pkg}`, installId: pkg } : null;
    case 'zypper':
      return kb ? { key: `patch:${kb}`, installId: kb } : null;
    case 'wua': {
      const first = kb?.split(',')[0]?.trim().toUpperCase();
      const kbNumber = first && /^KB\d{6,8}$/.test(first) ? first : null;
      const installId = updateId ?? kbNumber;
      if (!installId) return null;
      return { key: kbNumber ? `kb:${kbNumber}` : `wua:${updateId!.toLowerCase()}`, installId };
    }
    case 'softwareupdate':
      return pkg ? { key: `label:${pkg}`, installId: pkg } : null;
  }
}
