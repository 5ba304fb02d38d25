// Windows: the JSON document printed by WINDOWS_PATCHES_SCRIPT (probes/patches/windows.ts). Pure parser.
import { windowsRebootPending } from '../../exec/windows-reboot-state.js';
import { excerpt, isCritical, type PatchReport, type PendingUpdate } from './patch-report.js';

/** WSUS classification ids: the names are localised ("Sicherheitsupdates"), the ids are not. */
export const SECURITY_UPDATES_ID = '0fa1201d-4330-4fa8-8ae9-b877473b6441';
export const DEFINITION_UPDATES_ID = 'e0789628-ce08-4437-be74-2495b842f43b';

export interface WuaUpdate {
  title?: unknown;
  /** IUpdateIdentity.UpdateID, a GUID: what the collector approves an install by. */
  updateId?: unknown;
  kb?: unknown;
  severity?: unknown;
  /** Category names (classification and product). */
  categories?: unknown;
  /** The UpdateClassification category's id. */
  classificationId?: unknown;
  downloaded?: unknown;
  rebootRequired?: unknown;
}

export interface WuaDocument {
  updates?: unknown;
  searchError?: unknown;
  historyError?: unknown;
  /** `yyyy-MM-ddTHH:mm:ss` in UTC (WUA's DATE values; the script does not convert them). */
  lastInstall?: unknown;
  lastSearch?: unknown;
  rebootCbs?: unknown;
  rebootWu?: unknown;
  rebootSystemInfo?: unknown;
  pendingFileRename?: unknown;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const strings = (v: unknown): string[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]).map(str).filter(Boolean);

/** Unix seconds of a UTC `yyyy-MM-ddTHH:mm:ss`; undefined for null, garbage and WUA's "never" (year < 2000). */
export function wuaTime(v: unknown): number | undefined {
  const s = str(v);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/.test(s)) return undefined;
  const ms = Date.parse(/(?:Z|[+-]\d{2}:\d{2})$/.test(s) ? s : `${s}Z`);
  return Number.isNaN(ms) || new Date(ms).getUTCFullYear() < 2000 ? undefined : Math.floor(ms / 1000);
}

function toUpdate(u: WuaUpdate): PendingUpdate {
  const severity = str(u.severity);
  const categories = strings(u.categories);
  const kbs = strings(u.kb).map((k) => `KB${k.replace(/^KB/i, '')}`);
  const security = severity !== '' || str(u.classificationId).toLowerCase() === SECURITY_UPDATES_ID || categories.includes('Security Updates');
  const updateId = str(u.updateId).toLowerCase();
  return {
    title: str(u.title),
    ...(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(updateId) ? { updateId } : {}),
    ...(kbs.length ? { kb: kbs.join(',') } : {}),
    ...(severity ? { severity } : {}),
    ...(categories.length ? { category: categories.join(', ') } : {}),
    security,
    critical: isCritical(severity),
  };
}

/** Throws (with an excerpt) when the document is not the script's, or when the WUA search itself failed: pending
 *  counts of 0 from a failed search would read as "fully patched". */
export function parseWuaDocument(doc: unknown): PatchReport {
  if (typeof doc !== 'object' || doc === null || !('updates' in doc)) {
    throw new Error(`unexpected WUA script output: ${excerpt(JSON.stringify(doc) ?? String(doc))}`);
  }
  const d = doc as WuaDocument;
  if (str(d.searchError)) throw new Error(`Windows Update search failed: ${excerpt(str(d.searchError))}`);
  const raw = Array.isArray(d.updates) ? d.updates : d.updates === null ? [] : [d.updates];
  let parseErrors = 0;
  const updates: PendingUpdate[] = [];
  for (const u of raw) {
    if (typeof u === 'object' && u !== null && str((u as WuaUpdate).title)) updates.push(toUpdate(u as WuaUpdate));
    else parseErrors += 1;
  }
  const lastSuccess = wuaTime(d.lastInstall);
  const lastSearch = wuaTime(d.lastSearch);
  return {
    source: 'wua',
    updates,
    rebootPending: windowsRebootPending(d),
    pendingFileRename: d.pendingFileRename === true,
    ...(lastSuccess === undefined ? {} : { lastSuccess }),
    ...(lastSearch === undefined ? {} : { lastSearch }),
    parseErrors: parseErrors + (str(d.historyError) ? 1 : 0),
  };
}
