import { describe, expect, it } from 'vitest';
import {
  bearerToken,
  formatAgentCredential,
  formatEnrollmentToken,
  hashSecret,
  newAgentId,
  newSecret,
  newTokenId,
  parseAgentCredential,
  parseEnrollmentToken,
  secretMatches,
} from '../../../collector/src/store/secrets.js';

const AGENT = 'ag_0123456789abcdef0123456789abcdef';
const SECRET = 'A_-b'.repeat(10) + 'xyz'; // 43 base64url characters, with the separators' lookalikes

describe('secrets', () => {
  it('makes ids and secrets of the documented shapes, never the same twice', () => {
    expect(newAgentId()).toMatch(/^ag_[0-9a-f]{32}$/);
    expect(newTokenId()).toMatch(/^[0-9a-f]{16}$/);
    expect(newSecret()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newSecret()).not.toBe(newSecret());
  });

  it('matches a secret only against its own hash', () => {
    const hash = hashSecret(SECRET);
    expect(hash).toHaveLength(32);
    expect(secretMatches(SECRET, hash)).toBe(true);
    expect(secretMatches(SECRET.replace('x', 'y'), hash)).toBe(false);
    expect(secretMatches(SECRET, hash.subarray(0, 16))).toBe(false);
  });
});

describe('bearerToken', () => {
  it.each<[string | undefined, string | null]>([
    ['Bearer wpk_abc', 'wpk_abc'],
    ['bearer   wpk_abc  ', 'wpk_abc'],
    ['Bearer an admin key with spaces', 'an admin key with spaces'],
    ['Bearer', null],
    ['Bearer   ', null],
    ['Basic dXNlcjpwYXNz', null],
    ['wpk_abc', null],
    ['', null],
    [undefined, null],
  ])('%j -> %j', (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });
});

describe('parseAgentCredential', () => {
  const good = formatAgentCredential(AGENT, SECRET);
  it.each([
    ['bare credential', good, { agentId: AGENT, secret: SECRET }],
    ['Bearer header value', `Bearer ${good}`, { agentId: AGENT, secret: SECRET }],
    ['lowercase scheme, extra spaces', `  bearer   ${good} `, { agentId: AGENT, secret: SECRET }],
    ['empty', '', null],
    ['other scheme', `Basic ${good}`, null],
    ['no prefix', `${AGENT}.${SECRET}`, null],
    ['short secret', `wpa_${AGENT}.${SECRET.slice(1)}`, null],
    ['long secret', `wpa_${AGENT}.${SECRET}A`, null],
    ['uppercase hex id', `wpa_${AGENT.toUpperCase()}.${SECRET}`, null],
    ['enrollment token', formatEnrollmentToken('0123456789abcdef', SECRET), null],
    ['huge input', `Bearer ${good}${' '.repeat(100_000)}`, null],
  ])('%s', (_name, input, expected) => {
    expect(parseAgentCredential(input)).toEqual(expected);
  });

  it('round-trips a fresh credential', () => {
    const agentId = newAgentId();
    const secret = newSecret();
    expect(parseAgentCredential(`Bearer ${formatAgentCredential(agentId, secret)}`)).toEqual({ agentId, secret });
  });
});

describe('parseEnrollmentToken', () => {
  const id = '0123456789abcdef';
  it.each([
    ['token', formatEnrollmentToken(id, SECRET), { id, secret: SECRET }],
    ['surrounding whitespace (pasted)', `\t${formatEnrollmentToken(id, SECRET)}\n`, { id, secret: SECRET }],
    ['empty', '', null],
    ['wrong prefix', `wpx_${id}_${SECRET}`, null],
    ['short id', `wpe_${id.slice(1)}_${SECRET}`, null],
    ['short secret', `wpe_${id}_${SECRET.slice(1)}`, null],
    ['agent credential', formatAgentCredential(AGENT, SECRET), null],
  ])('%s', (_name, input, expected) => {
    expect(parseEnrollmentToken(input)).toEqual(expected);
  });
});
