// The one rule set for identity strings: real machines' names pass, everything that could split a line-protocol
// line, a log line or a table, or hide in one, is refused with a message naming the field.
import { describe, expect, it } from 'vitest';
import { hostnameKey, identityProblem } from '../../../collector/src/store/identity.js';

describe('identityProblem(hostname)', () => {
  it.each([
    ['WS-01', 'a Windows workstation'],
    ['DESKTOP-7QK2M1B', "Windows' generated name"],
    ['PC_LAB_07', 'a NetBIOS name with underscores'],
    ['srv1.corp.example.com', 'an FQDN'],
    ['Johns-MacBook-Pro.local', 'macOS'],
    ['ip-10-0-0-12.eu-west-1.compute.internal', 'a cloud VM'],
    ['BÜRO-PC', 'a German client (non-ASCII letter)'],
    ['経理-PC', 'a Japanese client'],
    ['Cafe\u0301', 'a decomposed accent (combining mark)'],
    ['7srv', 'starting with a digit'],
    ['x'.repeat(253), 'the longest DNS name'],
  ])('accepts %j (%s)', (hostname) => {
    expect(identityProblem('hostname', hostname)).toBeNull();
  });

  it.each([
    ['', 'hostname must not be empty or blank'],
    ['   ', 'hostname must not be empty or blank'],
    [' ws-01', 'hostname must not start or end with whitespace'],
    ['ws-01\n', 'hostname must not start or end with whitespace'],
    ['ws\n01', 'hostname must not contain a control or format character (U+000A)'],
    ['ws\r01', 'hostname must not contain a control or format character (U+000D)'],
    ['ws\t01', 'hostname must not contain a control or format character (U+0009)'],
    ['ws\u000001', 'hostname must not contain a control or format character (U+0000)'],
    ['ws\u202e10', 'hostname must not contain a control or format character (U+202E)'],
    ['ws\u200d01', 'hostname must not contain a control or format character (U+200D)'],
    ['victim\\', 'hostname must not contain a backslash'],
    ['ws\\,tenant=x', 'hostname must not contain a backslash'],
    ['ws 01', "hostname must be letters, digits, '-', '.' or '_', starting with a letter or digit"],
    ['ws"01', "hostname must be letters, digits, '-', '.' or '_', starting with a letter or digit"],
    ['ws,tenant=other', "hostname must be letters, digits, '-', '.' or '_', starting with a letter or digit"],
    ['-ws', "hostname must be letters, digits, '-', '.' or '_', starting with a letter or digit"],
    ['.ws', "hostname must be letters, digits, '-', '.' or '_', starting with a letter or digit"],
    ['x'.repeat(254), 'hostname must be at most 253 characters'],
  ])('refuses %j: %s', (hostname, message) => {
    expect(identityProblem('hostname', hostname)).toBe(message);
  });

  it('refuses what is not a string', () => {
    expect(identityProblem('hostname', undefined)).toBe('hostname must be a string');
    expect(identityProblem('hostname', 42)).toBe('hostname must be a string');
  });
});

describe('identityProblem(os, arch, agentVersion, tenant)', () => {
  it('accepts what agents and tenants really use', () => {
    for (const os of ['win32', 'darwin', 'linux']) expect(identityProblem('os', os)).toBeNull();
    for (const arch of ['x64', 'arm64', 'ia32']) expect(identityProblem('arch', arch)).toBeNull();
    for (const v of ['0.1.0', '1.4.2-rc.1+g3f2a9c1', 'test']) expect(identityProblem('agentVersion', v)).toBeNull();
    expect(identityProblem('tenant', 'acme-gmbh')).toBeNull();
  });

  it('refuses the empty string proto3 gives for a missing field, over-long values and hostile bytes', () => {
    expect(identityProblem('agentVersion', '')).toBe('agentVersion must not be empty or blank');
    expect(identityProblem('agentVersion', '1'.repeat(65))).toBe('agentVersion must be at most 64 characters');
    expect(identityProblem('os', 'linux\n')).toBe('os must not start or end with whitespace');
    expect(identityProblem('arch', 'x64\u0000')).toBe('arch must not contain a control or format character (U+0000)');
    expect(identityProblem('os', 'win 32')).toBe("os must be ASCII letters, digits, '.', '_', '+' or '-'");
    expect(identityProblem('tenant', 'Acme')).toBe("tenant must be lowercase letters, digits or '-', not starting with '-'");
  });
});

describe('hostnameKey', () => {
  it('compares without regard to case or compatibility forms', () => {
    expect(hostnameKey('WS-01')).toBe(hostnameKey('ws-01'));
    expect(hostnameKey('ＷＳ-01')).toBe(hostnameKey('ws-01'));
    expect(hostnameKey('BÜRO-PC')).toBe(hostnameKey('büro-pc'));
    expect(hostnameKey('ws-01')).not.toBe(hostnameKey('ws-02'));
  });
});
