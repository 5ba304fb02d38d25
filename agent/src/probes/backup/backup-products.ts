// Backup products the backup probe recognises on Windows: the ones whose results it reads from their own event logs
// (RESULT_SOURCES) and the ones it knows by presence only (installed program and service state, PRODUCTS). Pure data
// and matching; the PowerShell that gathers the inputs is in windows-backup.ts.

/** Result of one backup run as the probe reports it. */
export type BackupResult = 'success' | 'warning' | 'failed' | 'unknown';

/** How a product was found: its own event log, its installed program / service only, or `tmutil` (macOS). */
export type DetectedBy = 'events' | 'presence' | 'tmutil';

/**
 * A product known by its installed program (the Uninstall keys' DisplayName, `installed`) and its Windows services
 * (Name or DisplayName matching `services`). Presence only unless an entry of RESULT_SOURCES names the same product.
 * The vendors are the backup agents MSPs deploy most; names after the vendors' own product names. Matching is
 * case-insensitive (PowerShell's -match and the `i` flag here).
 */
export interface KnownProduct {
  product: string;
  installed: RegExp;
  services: RegExp;
}

export const PRODUCTS: readonly KnownProduct[] = [
  { product: 'Veeam Agent for Microsoft Windows', installed: /^Veeam Agent for (Microsoft )?Windows\b/i, services: /^Veeam\b/i },
  { product: 'Veeam Backup & Replication', installed: /^Veeam Backup (&|and) Replication\b/i, services: /^Veeam\b/i },
  // Datto's backup agents; "Datto RMM" (the RMM agent) is not a backup product and matches neither pattern.
  { product: 'Datto Backup Agent', installed: /^Datto (Windows|Backup) Agent\b/i, services: /^Datto (Windows |Backup )?Agent\b|^DattoBackupAgent/i },
  { product: 'StorageCraft ShadowProtect', installed: /\bShadowProtect\b/i, services: /ShadowProtect/i },
  { product: 'Acronis Cyber Protect', installed: /^Acronis (Cyber Protect|Cyber Backup|Backup|True Image|Agent|Managed Machine)\b/i, services: /^Acronis\b/i },
  // N-able Cove Data Protection installs as "Backup Manager" (C:\Program Files\Backup Manager); its service is
  // "Backup Service Controller" (N-able's own scripts query it by that name).
  {
    product: 'N-able Cove Backup Manager',
    installed: /^(Backup Manager|Cove Data Protection|N-able Backup|SolarWinds Backup)\b/i,
    services: /^Backup Service Controller$/i,
  },
  { product: 'Axcient x360Recover', installed: /\b(Axcient|x360Recover|Replibit)\b/i, services: /\b(Axcient|x360Recover|Replibit)\b/i },
  { product: 'Veritas Backup Exec', installed: /^(Veritas |Symantec )?Backup Exec\b/i, services: /^Backup Exec\b/i },
  { product: 'Macrium Reflect', installed: /^Macrium Reflect\b/i, services: /^Macrium\b/i },
  { product: 'Carbonite', installed: /^Carbonite\b/i, services: /^Carbonite\b/i },
  { product: 'Unitrends Agent', installed: /^Unitrends\b/i, services: /^Unitrends\b/i },
  { product: 'Arcserve', installed: /^Arcserve\b/i, services: /^Arcserve\b/i },
  { product: 'MSP360 Backup', installed: /^(MSP360|CloudBerry) (Backup|Online Backup)\b/i, services: /^(MSP360|CloudBerry)\b/i },
  {
    product: 'Synology Active Backup for Business',
    installed: /^Active Backup for Business Agent\b|^Synology Active Backup\b/i,
    services: /^Active Backup\b/i,
  },
  { product: 'Commvault', installed: /^Commvault\b/i, services: /^Commvault\b/i },
  { product: 'Backblaze', installed: /^Backblaze\b/i, services: /^Backblaze\b/i },
  { product: 'Druva inSync', installed: /^Druva inSync\b/i, services: /^Druva\b|^inSync\b/i },
  { product: 'IDrive', installed: /^IDrive\b/i, services: /^IDrive\b/i },
  { product: 'Altaro VM Backup', installed: /^Altaro\b/i, services: /^Altaro\b/i },
  { product: 'NAKIVO Backup & Replication', installed: /^NAKIVO\b/i, services: /^NAKIVO\b/i },
];

/** Installed programs whose names match a product pattern but are not the product (uninstallers, tools). */
const EXCLUDED = /\b(uninstall(er)?|removal tool|monitor(ing)? plugin)\b/i;

/** One regular expression for PowerShell's -match (.NET syntax: the patterns above use only `^ \b ( | ) ?`). */
export const psPattern = (patterns: readonly RegExp[]): string => patterns.map((p) => `(?:${p.source})`).join('|');

/** The product an installed program's DisplayName belongs to, if any. */
export function productOfInstalled(displayName: string): KnownProduct | undefined {
  const name = displayName.trim();
  if (!name || EXCLUDED.test(name)) return undefined;
  return PRODUCTS.find((p) => p.installed.test(name));
}

export interface ServiceRow {
  name: string;
  displayName: string;
  /** ServiceController.Status as text: Running, Stopped, Paused, StartPending, StopPending, ... */
  status: string;
}

/**
 * The state of a product's services: `running` when every matching service runs, `stopped` when none does,
 * `partial` in between; undefined when the product has no matching service.
 */
export function serviceState(product: KnownProduct, services: readonly ServiceRow[]): 'running' | 'stopped' | 'partial' | undefined {
  const mine = services.filter((s) => product.services.test(s.name) || product.services.test(s.displayName));
  if (mine.length === 0) return undefined;
  const running = mine.filter((s) => s.status.toLowerCase() === 'running').length;
  return running === mine.length ? 'running' : running === 0 ? 'stopped' : 'partial';
}
