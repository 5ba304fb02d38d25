// password_policy: the local policy is "strong": a minimum length (default 8), complexity (3 character classes) and
// an account lockout after at most N failures (default 10). A domain-joined machine's accounts follow the domain's
// policy, which the agent does not read: unknown, not a verdict on the local one.
import type { Judgement, Standard } from '../contract.js';
import { bool, evidenceOf, num, str } from './fields.js';

const FIELDS = ['source', 'min_length', 'complexity', 'min_classes', 'lockout_threshold', 'domain_joined', 'domain'];

export const passwordPolicy: Standard = {
  id: 'password_policy',
  title: 'Strong password policy',
  reads: ['password_policy'],
  appliesTo: () => true,
  evaluate(host, t): Judgement {
    const p = host.summary('password_policy');
    if (!p) return { verdict: 'unknown', reason: 'no password_policy point yet' };
    const evidence = evidenceOf(p, FIELDS);
    if (bool(p, 'domain_joined') === true) {
      return {
        verdict: 'unknown',
        reason: `joined to the domain ${str(p, 'domain') || '(unnamed)'}: its accounts follow the domain's policy, which is not read`,
        evidence,
      };
    }
    const short: string[] = [];
    const length = num(p, 'min_length') ?? 0;
    if (length < t.passwordMinLength) short.push(`minimum length ${length} (at least ${t.passwordMinLength} required)`);
    const complex = bool(p, 'complexity') === true || (num(p, 'min_classes') ?? 0) >= 3;
    if (t.passwordComplexity && !complex) short.push('no complexity requirement');
    const lockout = num(p, 'lockout_threshold') ?? 0;
    if (t.passwordMaxLockoutThreshold > 0 && (lockout === 0 || lockout > t.passwordMaxLockoutThreshold)) {
      short.push(lockout === 0 ? 'accounts never lock out' : `lockout after ${lockout} failures (at most ${t.passwordMaxLockoutThreshold})`);
    }
    if (short.length > 0) return { verdict: 'fail', reason: short.join('; '), evidence };
    return {
      verdict: 'pass',
      reason: `minimum length ${length}${complex ? ', complexity' : ''}${lockout > 0 ? `, lockout after ${lockout} failures` : ''}`,
      evidence,
    };
  },
};
