import { describe, expect, it } from 'vitest';
import { checkListenPolicy, isLoopbackHost } from '../../../collector/src/config/plain-http-listen.js';
import { ConfigError } from '../../../collector/src/errors.js';

describe('listen policy', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['::1', true],
    ['::ffff:127.0.0.1', true],
    ['localhost', true],
    ['0.0.0.0', false],
    ['::', false],
    ['10.1.2.3', false],
    ['collector.example.com', false],
    ['127.example.com', false],
  ])('%s is loopback: %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });

  it('refuses plain HTTP on a remote address, naming listen and agents.allowPlainRemote', () => {
    const attempt = () => checkListenPolicy({ host: '0.0.0.0', tls: false, allowPlainRemote: false });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/^listen: .*agents\.allowPlainRemote/);
  });

  it('allows TLS anywhere and plain HTTP on loopback without a word', () => {
    expect(checkListenPolicy({ host: '0.0.0.0', tls: true, allowPlainRemote: false })).toBeNull();
    expect(checkListenPolicy({ host: '127.0.0.1', tls: false, allowPlainRemote: false })).toBeNull();
  });

  it('allows plain HTTP on a remote address when told to, with a warning', () => {
    expect(checkListenPolicy({ host: '0.0.0.0', tls: false, allowPlainRemote: true })).toContain('unencrypted');
  });
});
