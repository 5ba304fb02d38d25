// Antivirus products recognised from installed software (the Uninstall registry keys' DisplayName), for Windows
// Server, which has no SecurityCenter2. A heuristic: the product's presence is known, its state is not.
// Vendor list after netinvent/windows_tools' server fallback (research notes, section 4.2), plus the generic
// "anti...virus|malware" pattern it uses. Matching is case-insensitive on word starts.
const KNOWN_AV_PATTERNS: readonly RegExp[] = [
  /\banti[- ]?(virus|viral|malware)\b/i,
  /\bendpoint (protection|security|detection)\b/i,
  /\b(avast|avg|avira|bitdefender|eset|f-secure|withsecure|kaspersky|mcafee|trellix|sophos|trend micro|malwarebytes)\b/i,
  /\b(sentinel ?one|sentinel agent|crowdstrike|falcon sensor|cylance|carbon black|cortex xdr|webroot|norton|symantec)\b/i,
  /\b(panda|g data|emsisoft|comodo|vipre|k7|quick heal|acronis cyber protect|huntress|threatlocker|cisco secure endpoint)\b/i,
];

/** Names that match a vendor pattern but are not protection products (updaters, removal tools, browsers' helpers). */
const EXCLUDED: RegExp = /\b(removal tool|uninstall(er)?|secure browser|vpn|password manager|safe ?price)\b/i;

/** Installed programs that look like antivirus products, de-duplicated, in input order. */
export function recogniseAvProducts(displayNames: readonly unknown[]): string[] {
  const seen = new Set<string>();
  for (const raw of displayNames) {
    if (typeof raw !== 'string') continue;
    const name = raw.trim();
    if (!name || EXCLUDED.test(name) || !KNOWN_AV_PATTERNS.some((p) => p.test(name))) continue;
    seen.add(name);
  }
  return [...seen];
}
