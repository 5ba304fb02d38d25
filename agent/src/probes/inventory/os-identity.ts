// OS identity from the sources each OS keeps it in: the Windows registry (`reg query`), /etc/os-release, sw_vers.
// All pure; the inventory probe does the reading.

/** `reg query KEY` output -> value name -> data (REG_DWORD as its decimal value). Key lines and "End of search" ignored. */
export function parseRegQuery(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^ {4}(.+?) {4}(REG_[A-Z_]+)(?: {4}(.*))?$/.exec(line);
    if (!m) continue;
    const data = (m[3] ?? '').trim();
    values.set(m[1]!, m[2] === 'REG_DWORD' && /^0x[0-9a-f]+$/i.test(data) ? String(parseInt(data, 16)) : data);
  }
  return values;
}

/** First client build of Windows 11 (21H2). Windows 11 keeps "Windows 10" in ProductName, so the build decides. */
export const WINDOWS_11_FIRST_BUILD = 22000;

/** The marketing name for a Windows ProductName and build: "Windows 10 Pro" at build >= 22000 is "Windows 11 Pro". */
export function windowsProductName(productName: string, build: number): string {
  // Only client names are rewritten: Windows Server 2025 is build 26100 and must stay a server.
  return Number.isInteger(build) && build >= WINDOWS_11_FIRST_BUILD ? productName.replace(/^(Microsoft )?Windows 10\b/, '$1Windows 11') : productName;
}

export type ProductType = 'workstation' | 'server' | 'domain_controller' | '';

/** ProductOptions\ProductType (WinNT/ServerNT/LanmanNT), else CurrentVersion\InstallationType (Client/Server/Server Core). */
export function windowsProductType(productType: string | undefined, installationType: string | undefined): ProductType {
  const pt = (productType ?? '').toLowerCase();
  if (pt === 'winnt') return 'workstation';
  if (pt === 'servernt') return 'server';
  if (pt === 'lanmannt') return 'domain_controller';
  const it = (installationType ?? '').toLowerCase();
  if (it === 'client') return 'workstation';
  if (it.startsWith('server')) return 'server';
  return '';
}

export interface WindowsIdentity {
  os_name: string;
  os_build: string;
  os_ubr?: number;
  os_edition: string;
  os_display_version: string;
  os_product_type: ProductType;
}

/** CurrentVersion values (+ ProductOptions' ProductType) -> inventory fields. */
export function windowsIdentity(currentVersion: Map<string, string>, productType?: string): WindowsIdentity {
  const build = currentVersion.get('CurrentBuild') || currentVersion.get('CurrentBuildNumber') || '';
  const ubr = Number(currentVersion.get('UBR'));
  return {
    os_name: windowsProductName(currentVersion.get('ProductName') ?? '', Number(build)),
    os_build: build,
    ...(currentVersion.has('UBR') && Number.isInteger(ubr) ? { os_ubr: ubr } : {}),
    os_edition: currentVersion.get('EditionID') ?? '',
    // DisplayVersion exists from 20H2; older builds have only ReleaseId (1507..2004).
    os_display_version: currentVersion.get('DisplayVersion') || currentVersion.get('ReleaseId') || '',
    os_product_type: windowsProductType(productType, currentVersion.get('InstallationType')),
  };
}

/** os-release(5): KEY=value lines, values optionally quoted with shell escapes; comments and blanks ignored. */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (!m) continue;
    let value = m[2]!.trim();
    const q = value[0];
    if ((q === '"' || q === "'") && value.endsWith(q) && value.length >= 2) {
      value = value.slice(1, -1);
      if (q === '"') value = value.replace(/\\([$"\\`])/g, '$1');
    }
    out[m[1]!] = value;
  }
  return out;
}

/** `sw_vers` output ("ProductName:\tmacOS" ...) -> { ProductName, ProductVersion, BuildVersion, ... }. */
export function parseSwVers(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^(\w+):\s*(.*)$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!.trim();
  }
  return out;
}
