// Linux/macOS antivirus facts that can be read cheaply: ClamAV's `sigtool --info` (database build time),
// Microsoft Defender for Endpoint's `mdatp health --output json`, and XProtect's bundle Info.plist version.

export interface SigtoolInfo {
  file: string;
  /** Unix seconds of "Build time", when present and parseable. */
  buildTime?: number;
  version?: string;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** "13 Jun 2016 09:53 -0400" (sigtool's format) -> unix seconds. */
export function parseSigtoolTime(text: string): number | undefined {
  const m = /^(\d{1,2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2})(?::(\d{2}))? ([+-])(\d{2})(\d{2})$/.exec(text.trim());
  if (!m) return undefined;
  const month = MONTHS.indexOf(m[2]!.toLowerCase());
  if (month < 0) return undefined;
  const offsetMin = (m[7] === '-' ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9]));
  const utc = Date.UTC(Number(m[3]), month, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0));
  return Math.round(utc / 1000) - offsetMin * 60;
}

/** Parses `sigtool --info FILE` ("Key: value" lines; LibClamAV warnings and the signature line are ignored). */
export function parseSigtoolInfo(text: string): SigtoolInfo | null {
  const values = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^(File|Build time|Version):\s*(.*)$/.exec(line.trim());
    if (m) values.set(m[1]!, m[2]!.trim());
  }
  const file = values.get('File');
  if (!file) return null;
  const buildTime = parseSigtoolTime(values.get('Build time') ?? '');
  const version = values.get('Version');
  return { file, ...(buildTime !== undefined ? { buildTime } : {}), ...(version ? { version } : {}) };
}

export interface MdatpHealth {
  healthy?: boolean;
  realtime?: boolean;
  passive?: boolean;
  definitionsStatus?: string;
  /** Unix seconds. */
  definitionsUpdated?: number;
  definitionsVersion?: string;
}

/** mdatp prints some values plainly and (newer versions, --output json) some as {"value": x, "scope": ...}. */
function plain(value: unknown): unknown {
  return value !== null && typeof value === 'object' && 'value' in value ? (value as { value: unknown }).value : value;
}

/**
 * `mdatp health --output json` (fields per Microsoft's "mdatp health" documentation: healthy,
 * real_time_protection_enabled, passive_mode_enabled, definitions_status, definitions_updated,
 * definitions_updated_minutes_ago, definitions_version). Throws on output that is not a JSON object.
 */
export function parseMdatpHealth(text: string, nowMs: number): MdatpHealth {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new Error(`mdatp health: not JSON: ${text.slice(0, 200)}`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`mdatp health: not an object: ${text.slice(0, 200)}`);
  const d = doc as Record<string, unknown>;
  const b = (key: string) => (typeof plain(d[key]) === 'boolean' ? (plain(d[key]) as boolean) : undefined);
  const out: MdatpHealth = {};
  const healthy = b('healthy');
  if (healthy !== undefined) out.healthy = healthy;
  const realtime = b('real_time_protection_enabled');
  if (realtime !== undefined) out.realtime = realtime;
  const passive = b('passive_mode_enabled');
  if (passive !== undefined) out.passive = passive;
  const status = plain(d.definitions_status);
  if (typeof status === 'string') out.definitionsStatus = status;
  const version = plain(d.definitions_version);
  if (typeof version === 'string') out.definitionsVersion = version;
  // definitions_updated is epoch milliseconds; minutes_ago is the fallback.
  const updated = plain(d.definitions_updated);
  const minutesAgo = plain(d.definitions_updated_minutes_ago);
  if (typeof updated === 'number' && updated > 0) out.definitionsUpdated = Math.round(updated > 1e11 ? updated / 1000 : updated);
  else if (typeof minutesAgo === 'number' && minutesAgo >= 0) out.definitionsUpdated = Math.round(nowMs / 1000 - minutesAgo * 60);
  return out;
}

/** The <string> value following <key>KEY</key> in an XML property list (Apple's documented plist DTD). */
export function plistString(xml: string, key: string): string | undefined {
  const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`<key>\\s*${escaped}\\s*</key>\\s*<string>([^<]*)</string>`).exec(xml);
  return m ? m[1]!.trim() : undefined;
}
