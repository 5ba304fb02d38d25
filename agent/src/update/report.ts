// The `agent_update` measurement: one point per outcome of an update, through the agent's normal pipeline (spool,
// at-least-once). `from` and `to` name the update (the version that ran when it was offered, the version offered)
// whatever the outcome, so a rollout can be followed by grouping on `to`.
import type { SampleDraft } from '../sample.js';

export const UPDATE_MEASUREMENT = 'agent_update';

/** installed: the new version confirmed (its first session). refused: the offer was not trusted or not usable here
 *  (signature, sha256, target, no key, smoke test, layout). rolled_back: the new version did not confirm in time
 *  and the previous one runs again. failed: trying went wrong (download, disk, swap). */
export type UpdateStatus = 'installed' | 'refused' | 'rolled_back' | 'failed';

export function updateSample(status: UpdateStatus, from: string, to: string, reason: string, time?: number): SampleDraft {
  return { measurement: UPDATE_MEASUREMENT, tags: { status }, fields: { from, to, reason }, ...(time === undefined ? {} : { time }) };
}
