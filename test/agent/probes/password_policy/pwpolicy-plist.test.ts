// The macOS parsers: `pwpolicy -getaccountpolicies` as a stock Mac prints it (macOS 26.2), with a configuration
// profile's 7-character rule and 10-attempt lockout, and with DISA's documented lockout policy added; `dsconfigad -show`
// of a bound Mac (test/fixtures/darwin/security/, see test/fixtures/README.md).
import { describe, expect, it } from 'vitest';
import { macMembership } from '../../../../agent/src/probes/password_policy/domain-membership.js';
import { parsePlistXml, pwpolicyPolicy } from '../../../../agent/src/probes/password_policy/pwpolicy-plist.js';
import { fixture } from '../fixtures.js';

const policy = (name: string) => pwpolicyPolicy(fixture(`darwin/security/${name}`));
const EMPTY = { source: 'pwpolicy', minLength: 0, complexity: false, minClasses: 0, maxAgeDays: 0, history: 0, lockoutThreshold: 0 };

describe('pwpolicy -getaccountpolicies', () => {
  it("a stock Mac: Apple's FDE default, 4 characters, nothing else", () => {
    expect(policy('pwpolicy-getaccountpolicies-default-macos26.2.txt')).toEqual({ ...EMPTY, minLength: 4 });
  });

  it('a configuration profile: its 7 characters over the default 4 (the strictest holds), 10 attempts, unlocked by an administrator', () => {
    expect(policy('pwpolicy-getaccountpolicies-profile-lockout.txt')).toEqual({ ...EMPTY, minLength: 7, lockoutThreshold: 10, lockoutDurationSeconds: 0 });
  });

  it("DISA's lockout policy: 3 attempts, unlocked again after autoEnableInSeconds 900", () => {
    expect(policy('pwpolicy-getaccountpolicies-disa-stig-lockout.txt')).toEqual({ ...EMPTY, minLength: 4, lockoutThreshold: 3, lockoutDurationSeconds: 900 });
  });

  it('no policies: an empty dict, or nothing after the banner', () => {
    expect(policy('pwpolicy-getaccountpolicies-none.txt')).toEqual(EMPTY);
    expect(pwpolicyPolicy('Getting global account policies\n')).toEqual(EMPTY);
    expect(pwpolicyPolicy('')).toEqual(EMPTY);
  });

  it('parameters as pwpolicy -setaccountpolicies files write them: length, classes, history, expiry (the strictest of several)', () => {
    const base = fixture('darwin/security/pwpolicy-getaccountpolicies-default-macos26.2.txt');
    const extra = `
	<key>policyCategoryPasswordChange</key>
	<array>
		<dict><key>policyContent</key><string>policyAttributeCurrentTime &gt; policyAttributeLastPasswordChangeTime + (policyAttributeExpiresEveryNDays * 24 * 60 * 60)</string>
		<key>policyParameters</key><dict><key>policyAttributeExpiresEveryNDays</key><integer>365</integer></dict></dict>
		<dict><key>policyParameters</key><dict><key>policyAttributeDaysUntilExpiration</key><integer>90</integer></dict></dict>
	</array>
	<key>policyCategoryAuthentication</key>
	<array><dict><key>policyParameters</key><dict><key>policyAttributeMaximumFailedAuthentications</key><integer>5</integer></dict></dict></array>`;
    const content = `
		<dict><key>policyContent</key><string>none policyAttributePasswordHashes in policyAttributePasswordHistory</string>
		<key>policyParameters</key><dict><key>policyAttributePasswordHistoryDepth</key><integer>15</integer></dict></dict>
		<dict><key>policyParameters</key><dict><key>minimumLength</key><integer>14</integer><key>minimumNumericCharacters</key><integer>1</integer>
		<key>minimumMixedCaseCharacters</key><integer>1</integer><key>minimumAlphaCharacters</key><integer>1</integer><key>minimumSymbols</key><integer>0</integer></dict></dict>`;
    const text = base
      .replace('\t<key>policyCategoryPasswordContent</key>', `${extra}\n\t<key>policyCategoryPasswordContent</key>`)
      .replace('\t</array>\n</dict>', `${content}\n\t</array>\n</dict>`);
    expect(pwpolicyPolicy(text)).toEqual({
      source: 'pwpolicy',
      minLength: 14,
      complexity: true,
      minClasses: 3, // digits and mixed case (two); alpha is within mixed case, symbols 0 requires none
      maxAgeDays: 90,
      history: 15,
      lockoutThreshold: 5,
      lockoutDurationSeconds: 0,
    });
  });

  it('a malformed property list is an error, never an empty policy', () => {
    expect(() => pwpolicyPolicy('<plist version="1.0"><dict><key>policyCategoryPasswordContent</key><array><dict>')).toThrow(/unexpected end/);
    expect(() => pwpolicyPolicy('<plist version="1.0"><dict><string>x</string></dict></plist>')).toThrow(/expected <key>/);
  });
});

describe('the property list reader', () => {
  it('values of every kind, entities decoded, the DOCTYPE and banner skipped', () => {
    const xml = `banner\n<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0"><dict><key>s</key><string>a &lt; b &amp;&#x20;c</string><key>i</key><integer>-3</integer><key>r</key><real>1.5</real>
<key>t</key><true/><key>f</key><false/><key>e</key><string/><key>d</key><dict/><key>a</key><array><integer>1</integer><array/></array></dict></plist>`;
    expect(parsePlistXml(xml)).toEqual({ s: 'a < b & c', i: -3, r: 1.5, t: true, f: false, e: '', d: {}, a: [1, []] });
  });
});

describe('dsconfigad -show', () => {
  it('a Mac bound to Active Directory names its domain; an unbound Mac prints nothing', () => {
    expect(macMembership(fixture('darwin/security/dsconfigad-show-bound.txt'))).toEqual({ joined: true, domain: 'test.com' });
    expect(macMembership('')).toEqual({ joined: false });
  });
});
