// What the agents' points say about Microsoft Defender Antivirus, read purely: Defender's state in an antivirus run,
// and the result of an action in an av_action point. Defender is recognised by the antivirus probe's own reading of
// it (field source = defender, product "Microsoft Defender Antivirus": agent/src/probes/antivirus/README.md); Security
// Center's "Windows Defender" entry and every third-party product are only reported, never driven.
import type { RuleSample } from '../alerting/contract.js';
import type { AvActionKind } from '../patching/contract.js';
import type { AvResult } from '../store/index.js';

export const DEFENDER_PRODUCT = 'Microsoft Defender Antivirus';
const DAY_MS = 86_400_000;
/** Defender is not running or its protection is off: Update-MpSignature and Start-MpScan would fail. */
const NOT_DRIVABLE: ReadonlySet<string> = new Set(['off', 'snoozed', 'expired', 'absent']);

export const isDefender = (s: RuleSample): boolean => s.measurement === 'antivirus' && (s.fields.source === 'defender' || s.tags.product === DEFENDER_PRODUCT);

/** Whether a Defender in this state can run the two actions (on, passive: Defender in passive mode still updates and scans on demand). */
export const drivable = (state: string | undefined): boolean => state !== undefined && !NOT_DRIVABLE.has(state);

export interface DefenderRun {
  /** The run's time (all points of one antivirus run share it). */
  at: number;
  /** 'absent' when the run reported products but no Defender. */
  state: string;
  /** Unix ms, null when unknown. */
  signatureUpdated: number | null;
  /** The signatures' age at the run, in days, null when unknown. */
  ageDays: number | null;
}

/** Defender in the newest antivirus run among `samples`, or null when they hold no antivirus point. */
export function newestRun(samples: readonly RuleSample[]): DefenderRun | null {
  let at = -Infinity;
  for (const s of samples) if (s.measurement === 'antivirus' && s.time > at) at = s.time;
  if (at === -Infinity) return null;
  const p = samples.find((s) => s.time === at && isDefender(s));
  if (!p) return { at, state: 'absent', signatureUpdated: null, ageDays: null };
  const updated = typeof p.fields.signature_updated === 'number' && p.fields.signature_updated > 0 ? p.fields.signature_updated * 1000 : null;
  // As the antivirus rule judges it: the probe's own age first, else from the update time.
  const age = typeof p.fields.signature_age_days === 'number' ? p.fields.signature_age_days : updated !== null ? (at - updated) / DAY_MS : null;
  return { at, state: typeof p.fields.state === 'string' ? p.fields.state : 'unknown', signatureUpdated: updated, ageDays: age };
}

export interface ActionResult extends AvResult {
  requestId: string;
  action: AvActionKind;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** An av_action point with a request id -> its result (times in unix ms), or null when it is not one. */
export function actionResult(s: RuleSample): ActionResult | null {
  const requestId = str(s.fields.request_id);
  const action = s.tags.action;
  const outcome = s.fields.outcome;
  if (s.measurement !== 'av_action' || !requestId || (action !== 'signature_update' && action !== 'quick_scan')) return null;
  if (outcome !== 'succeeded' && outcome !== 'failed') return null;
  const secs = (v: unknown) => {
    const n = num(v);
    return n !== undefined && n > 0 ? n * 1000 : undefined;
  };
  const code = num(s.fields.code);
  const detail = str(s.fields.detail);
  const version = str(s.fields.signature_version);
  const updated = secs(s.fields.signature_updated);
  const scanEnd = secs(s.fields.quick_scan_end);
  return {
    requestId,
    action,
    outcome,
    at: s.time,
    ...(code !== undefined ? { code } : {}),
    ...(detail !== undefined ? { detail } : {}),
    ...(version !== undefined ? { signatureVersion: version } : {}),
    ...(updated !== undefined ? { signatureUpdated: updated } : {}),
    ...(scanEnd !== undefined ? { quickScanEnd: scanEnd } : {}),
  };
}
