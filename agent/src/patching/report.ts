// How a patch run becomes samples: one `patch_run` summary point and one `patch_result` point per plan item.
// Pure: no I/O, no clock (the caller passes the run's end time). The plan id and item ids are fields, never tags:
// one plan per host and window would make a new series every night.
import { int, type FieldValue, type SampleDraft } from '../sample.js';
import type { ItemResult } from './plan.js';

export interface PatchRunSummary {
  planId: string;
  windowStart: number;
  windowEnd: number;
  /** Items in the plan. */
  approved: number;
  installed: number;
  failed: number;
  notApplicable: number;
  notStarted: number;
  /** An install asked for a reboot, or the OS said one is pending after the installs. */
  rebootRequired: boolean;
  /** The OS accepted the reboot command (a delayed reboot happens warnMinutes later). */
  rebooted: boolean;
  /** Why a reboot the policy allowed did not happen: the window had closed, or the command failed. */
  rebootDetail?: string;
  /** From the first install's start (after any wait for the window) to the end of the run. */
  durationMs: number;
}

const seconds = (ms: number): number => Math.round(ms) / 1000;

/** The summary at `time`, then each item's result at `time + i + 1` ms (points of one measurement with equal tags
 *  and time would overwrite each other in InfluxDB). */
export function patchRunSamples(summary: PatchRunSummary, results: readonly ItemResult[], time: number): SampleDraft[] {
  const fields: Record<string, FieldValue> = {
    plan_id: summary.planId,
    window_start: int(Math.floor(summary.windowStart / 1000)),
    window_end: int(Math.floor(summary.windowEnd / 1000)),
    approved: int(summary.approved),
    installed: int(summary.installed),
    failed: int(summary.failed),
    not_applicable: int(summary.notApplicable),
    not_started: int(summary.notStarted),
    reboot_required: summary.rebootRequired,
    rebooted: summary.rebooted,
    duration_seconds: seconds(summary.durationMs),
  };
  if (summary.rebootDetail !== undefined) fields.reboot_detail = summary.rebootDetail;
  const points: SampleDraft[] = [{ measurement: 'patch_run', fields, time }];
  results.forEach((r, i) => {
    const item: Record<string, FieldValue> = {
      plan_id: summary.planId,
      id: r.id,
      title: r.title,
      reboot_required: r.rebootRequired,
      duration_seconds: seconds(r.durationMs),
    };
    if (r.code !== undefined) item.code = int(r.code);
    if (r.detail !== undefined && r.detail !== '') item.detail = r.detail;
    points.push({ measurement: 'patch_result', tags: { manager: r.manager, outcome: r.outcome }, fields: item, time: time + i + 1 });
  });
  return points;
}

/** The counts of a summary from the results. */
export function countOutcomes(results: readonly ItemResult[]): Pick<PatchRunSummary, 'approved' | 'installed' | 'failed' | 'notApplicable' | 'notStarted'> {
  const n = (outcome: ItemResult['outcome']) => results.filter((r) => r.outcome === outcome).length;
  return { approved: results.length, installed: n('installed'), failed: n('failed'), notApplicable: n('not_applicable'), notStarted: n('not_started') };
}
