// The local password policy as every platform's parser reports it, and its one `password_policy` sample. Units are
// the measurement's: days for ages, seconds for lockout times; 0 keeps one meaning per field (see README.md).
import { int, type FieldValue, type SampleDraft } from '../../sample.js';

export interface PasswordPolicy {
  /** What decides the rules: `secedit` (Windows), `pwpolicy` (macOS), the PAM module that checks new passwords
   *  (`pam_pwquality`, `pam_cracklib`, `pam_unix`) or `none` (Linux without a PAM password stack). */
  source: string;
  minLength: number;
  complexity: boolean;
  /** Character classes a new password must contain; 0 when none are required. */
  minClasses: number;
  /** 0: passwords never expire. Absent where the platform has no such setting. */
  maxAgeDays?: number;
  minAgeDays?: number;
  /** Previous passwords that may not be reused; 0: none. */
  history: number;
  /** Failed logons before the account locks; 0: it never locks. */
  lockoutThreshold: number;
  /** With a lockout: how long the account stays locked; 0: until an administrator unlocks it. */
  lockoutDurationSeconds?: number;
  /** With a lockout: the window in which failures are counted. */
  lockoutWindowSeconds?: number;
}

/** Whether the machine belongs to a directory domain (its domain accounts follow the domain's policy, not this one).
 *  Undefined: it could not be told. */
export interface DomainMembership {
  joined: boolean;
  domain?: string;
}

/** Classes a password must mix for "complexity": Windows' rule is three of its categories, and the same bar is
 *  applied to what PAM and pwpolicy require. */
export const COMPLEXITY_CLASSES = 3;

export function passwordPolicySample(policy: PasswordPolicy, membership: DomainMembership | undefined): SampleDraft {
  const fields: Record<string, FieldValue> = {
    source: policy.source,
    min_length: int(policy.minLength),
    complexity: policy.complexity,
    min_classes: int(policy.minClasses),
    history: int(policy.history),
    lockout_threshold: int(policy.lockoutThreshold),
  };
  if (policy.maxAgeDays !== undefined) fields.max_age_days = int(policy.maxAgeDays);
  if (policy.minAgeDays !== undefined) fields.min_age_days = int(policy.minAgeDays);
  if (policy.lockoutThreshold > 0) {
    if (policy.lockoutDurationSeconds !== undefined) fields.lockout_duration_seconds = int(policy.lockoutDurationSeconds);
    if (policy.lockoutWindowSeconds !== undefined) fields.lockout_window_seconds = int(policy.lockoutWindowSeconds);
  }
  if (membership) {
    fields.domain_joined = membership.joined;
    if (membership.joined && membership.domain) fields.domain = membership.domain;
  }
  return { measurement: 'password_policy', fields };
}
