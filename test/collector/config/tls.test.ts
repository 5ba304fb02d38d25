// TLS material checks against real files made by openssl.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTlsMaterial } from '../../../collector/src/config/tls.js';
import { ConfigError } from '../../../collector/src/errors.js';
import { selfSignedCert } from '../../helpers/collector.js';

const dir = mkdtempSync(join(tmpdir(), 'wp-tls-'));
const one = selfSignedCert(dir, 'one');
const two = selfSignedCert(dir, 'two');
const notPem = join(dir, 'not.pem');
writeFileSync(notPem, 'hello\n');
const brokenPem = join(dir, 'broken.pem');
writeFileSync(brokenPem, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');

describe('loadTlsMaterial', () => {
  it('is null without tls.cert and tls.key', () => {
    expect(loadTlsMaterial({ cert: '', key: '' })).toBeNull();
  });

  it('returns the PEM bytes of a matching certificate and key', () => {
    const material = loadTlsMaterial({ cert: one.cert, key: one.key });
    expect(material?.cert.toString()).toBe(one.pem);
    expect(material?.key.toString()).toContain('PRIVATE KEY');
  });

  it.each([
    ['a missing certificate file', { cert: join(dir, 'missing.crt'), key: one.key }, /^tls\.cert: cannot read .*ENOENT/],
    ['a missing key file', { cert: one.cert, key: join(dir, 'missing.key') }, /^tls\.key: cannot read .*ENOENT/],
    ['a certificate that is not PEM', { cert: notPem, key: one.key }, /^tls\.cert: .* is not PEM/],
    ['a key that is not PEM', { cert: one.cert, key: notPem }, /^tls\.key: .* is not PEM/],
    ['a PEM block that is no certificate', { cert: brokenPem, key: one.key }, /^tls\.cert: .* no readable certificate/],
    ['a certificate given as the key', { cert: one.cert, key: one.cert }, /^tls\.key: .* no readable unencrypted private key/],
    ['a key of another certificate', { cert: one.cert, key: two.key }, /^tls\.key: .* does not match the certificate/],
  ])('refuses %s, naming the key', (_what, tls, message) => {
    expect(() => loadTlsMaterial(tls)).toThrow(ConfigError);
    expect(() => loadTlsMaterial(tls)).toThrow(message);
  });
});
