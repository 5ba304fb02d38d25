// TLS material for https/wss, read once at start. Every failure is a ConfigError naming the config key, so
// `serve` exits 2 saying which file is wrong and why, instead of failing later inside the TLS stack.
import { readFileSync } from 'node:fs';
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import type { Config } from './config.js';
import { ConfigError } from '../errors.js';

export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
}

function readPem(key: 'tls.cert' | 'tls.key', file: string): Buffer {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new ConfigError(`${key}: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (!bytes.toString('latin1').includes('-----BEGIN ')) throw new ConfigError(`${key}: ${file} is not PEM (no -----BEGIN line)`);
  return bytes;
}

/** null when TLS is not configured; else the validated PEM bytes (cert parses, key parses, and they match). */
export function loadTlsMaterial(tls: Config['tls']): TlsMaterial | null {
  if (!tls.cert && !tls.key) return null;
  const cert = readPem('tls.cert', tls.cert);
  const key = readPem('tls.key', tls.key);
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(cert);
  } catch (error) {
    throw new ConfigError(`tls.cert: ${tls.cert} holds no readable certificate: ${(error as Error).message}`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key);
  } catch (error) {
    // The message names the problem (e.g. an encrypted key) but never the key's bytes.
    throw new ConfigError(`tls.key: ${tls.key} holds no readable unencrypted private key: ${(error as Error).message}`);
  }
  if (!certificate.checkPrivateKey(privateKey)) throw new ConfigError(`tls.key: ${tls.key} does not match the certificate in tls.cert`);
  return { cert, key };
}
