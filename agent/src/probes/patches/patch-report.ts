// What every platform's patch query boils down to, and how it becomes samples: one `patches` summary point and one
// `patches_pending` point per missing update. Pure: no I/O, no clock (the caller passes the run's time).
import { int, type FieldValue, type SampleDraft } from '../../sample.js';

/** Where the answer came from; the only tag on both measurements (low cardinality by construction). */
export type PatchSource = 'wua' | 'apt' | 'dnf' | 'yum' | 'zypper' | 'softwareupdate';

export interface PendingUpdate {
  /** Human title: the WUA title, the zypper summary, the macOS title, or `package version` for apt/dnf. */
  title: string;
  /** KB numbers (Windows, comma-separated digits) or the advisory id (dnf RHSA/FEDORA-..., zypper patch name). */
  kb?: string;
  /** As the source says it: MSRC Critical/Important/Moderate/Low, dnf/zypper severity; absent when unrated. */
  severity?: string;
  /** Windows classification names (comma-separated), zypper/dnf advisory type, apt `security`/`update`. */
  category?: string;
  package?: string;
  version?: string;
  /** Windows: the WUA UpdateID (a lower-case GUID), by which the collector approves exactly this update. */
  updateId?: string;
  security: boolean;
  /** Severity Critical (MSRC, dnf, zypper). apt and softwareupdate carry no severity, so never critical there. */
  critical: boolean;
}

export interface PatchReport {
  source: PatchSource;
  updates: PendingUpdate[];
  rebootPending: boolean;
  /** Windows only: PendingFileRenameOperations is set (installers and AV set it too, so it is not rebootPending). */
  pendingFileRename?: boolean;
  /** Unix seconds of the last successful patch install; absent when unknown. */
  lastSuccess?: number;
  /** Unix seconds of the last successful search (package-list refresh); absent when unknown. */
  lastSearch?: number;
  /** macOS: listed updates whose install needs a restart ("Action: restart"). */
  pendingRestartRequired?: number;
  /** Lines or items of OS output that could not be parsed (logged with an excerpt where they were met). */
  parseErrors: number;
}

const CRITICAL = /^critical$/i;

/** True for the severity names the sources use for their top level (MSRC, Red Hat, SUSE: all "Critical"). */
export function isCritical(severity: string | undefined): boolean {
  return severity !== undefined && CRITICAL.test(severity.trim());
}

/** Summary first at `time`, then each pending update at `time + i + 1` ms: points of one measurement with the same
 *  tags and time overwrite each other in InfluxDB, and update titles must not become tags (cardinality). */
export function patchSamples(report: PatchReport, time: number): SampleDraft[] {
  const tags = { source: report.source };
  const summary: Record<string, FieldValue> = {
    pending_total: int(report.updates.length),
    pending_security: int(report.updates.filter((u) => u.security).length),
    pending_critical: int(report.updates.filter((u) => u.critical).length),
    reboot_pending: report.rebootPending,
    parse_errors: int(report.parseErrors),
  };
  if (report.lastSuccess !== undefined) summary.last_success = int(report.lastSuccess);
  if (report.lastSearch !== undefined) summary.last_search = int(report.lastSearch);
  if (report.pendingFileRename !== undefined) summary.pending_file_rename = report.pendingFileRename;
  if (report.pendingRestartRequired !== undefined) summary.pending_restart_required = int(report.pendingRestartRequired);
  const points: SampleDraft[] = [{ measurement: 'patches', tags, fields: summary, time }];
  report.updates.forEach((u, i) => {
    const fields: Record<string, FieldValue> = { title: u.title, security: u.security, critical: u.critical };
    for (const key of ['kb', 'severity', 'category', 'package', 'version'] as const) {
      const value = u[key];
      if (value !== undefined && value !== '') fields[key] = value;
    }
    if (u.updateId) fields.update_id = u.updateId;
    points.push({ measurement: 'patches_pending', tags, fields, time: time + i + 1 });
  });
  return points;
}

/** A short excerpt of unparseable output for logs and error messages (never the whole output). */
export function excerpt(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
