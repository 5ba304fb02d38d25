// Test certificates made with the real `openssl` at test time (nothing secret is committed): a CA, two server
// certificates it signed for 127.0.0.1/localhost (the second stands for a rotated certificate), one it signed for
// another host name, and an unrelated self-signed certificate. Fingerprints come from `openssl x509 -fingerprint`,
// independently of the Node code under test.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Short-lived: these exist for one test run. */
const DAYS = '2';
const LOCAL_SAN = 'subjectAltName=DNS:localhost,IP:127.0.0.1';

export interface TestCert {
  keyPath: string;
  certPath: string;
  key: string;
  cert: string;
  /** SHA-256 fingerprint as openssl prints it: AA:BB:… (upper case). */
  fingerprint: string;
}

export interface TestCerts {
  ca: TestCert;
  /** Signed by `ca`, for 127.0.0.1 and localhost. */
  server: TestCert;
  /** Another key and certificate signed by `ca` for the same names: a collector's rotated certificate. */
  rotated: TestCert;
  /** Signed by `ca`, but only for collector.example.net. */
  otherHost: TestCert;
  /** Self-signed, for 127.0.0.1 and localhost, related to nothing else. */
  rogue: TestCert;
}

function openssl(args: string[]): string {
  try {
    return execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error('openssl is not installed: the TLS tests generate their certificates with it', { cause: error });
    throw new Error(`openssl ${args.join(' ')} failed: ${e.stderr ?? e.message}`, { cause: error });
  }
}

function load(dir: string, name: string): TestCert {
  const certPath = join(dir, `${name}.pem`);
  const keyPath = join(dir, `${name}.key`);
  const printed = openssl(['x509', '-in', certPath, '-noout', '-fingerprint', '-sha256']);
  const fingerprint = /=([0-9A-F:]+)/.exec(printed)?.[1];
  if (!fingerprint) throw new Error(`no fingerprint in openssl's output: ${printed}`);
  return { certPath, keyPath, cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8'), fingerprint };
}

const newKey = (dir: string, name: string) => ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, `${name}.key`)];

function selfSigned(dir: string, name: string, subject: string, extensions: string[]): void {
  openssl([
    'req',
    '-x509',
    ...newKey(dir, name),
    '-out',
    join(dir, `${name}.pem`),
    '-days',
    DAYS,
    '-subj',
    subject,
    ...extensions.flatMap((e) => ['-addext', e]),
  ]);
}

function signedBy(dir: string, ca: string, name: string, san: string): void {
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  openssl(['req', '-new', ...newKey(dir, name), '-out', csr, '-subj', `/CN=${name}`]);
  writeFileSync(ext, `${san}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n`);
  openssl([
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    join(dir, `${ca}.pem`),
    '-CAkey',
    join(dir, `${ca}.key`),
    '-CAcreateserial',
    '-out',
    join(dir, `${name}.pem`),
    '-days',
    DAYS,
    '-extfile',
    ext,
  ]);
}

/** Writes every certificate and key into `dir` (a temp dir the caller removes). */
export function makeTestCerts(dir: string): TestCerts {
  selfSigned(dir, 'ca', '/CN=Watchpost Test CA', ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign']);
  signedBy(dir, 'ca', 'server', LOCAL_SAN);
  signedBy(dir, 'ca', 'rotated', LOCAL_SAN);
  signedBy(dir, 'ca', 'other-host', 'subjectAltName=DNS:collector.example.net');
  selfSigned(dir, 'rogue', '/CN=localhost', [LOCAL_SAN]);
  return { ca: load(dir, 'ca'), server: load(dir, 'server'), rotated: load(dir, 'rotated'), otherHost: load(dir, 'other-host'), rogue: load(dir, 'rogue') };
}
