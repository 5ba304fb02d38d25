// Pinning the collector's TLS certificate. Two pins, usable together:
// - a CA (PEM, one or a bundle) trusted INSTEAD of the system store for this collector: only certificates that
//   chain to it are accepted (Node's `ca` option replaces the default roots, NODE_EXTRA_CA_CERTS included);
// - the SHA-256 fingerprint of the collector's own (leaf) certificate.
// Both ADD to Node's checks, never replace them: the chain must verify (against the pinned CA, else the system
// store) and the certificate must name the host in the server URL (Node's checkServerIdentity), then the
// fingerprint must match. So a self-signed collector certificate is pinned with `--ca cert.pem` (optionally
// with its fingerprint too). The options are applied to every TLS connection: enroll's HTTPS request
// (http.ts) and every WebSocket connect (delivery/link.ts).
import { X509Certificate } from 'node:crypto';
import { checkServerIdentity as nodeCheckServerIdentity, type PeerCertificate } from 'node:tls';

export interface TlsPin {
  /** PEM certificate(s), the content (the file it came from may move). Replaces the system store. */
  ca?: string;
  /** The leaf certificate's SHA-256 fingerprint, normalised to Node's `fingerprint256` form (AA:BB:…, 32 bytes). */
  fingerprint?: string;
}

/** What node:https and ws pass on to tls.connect. */
export interface PinnedTlsOptions {
  ca?: string;
  checkServerIdentity?: (host: string, cert: PeerCertificate) => Error | undefined;
}

export class FingerprintMismatchError extends Error {
  readonly code = 'ERR_WATCHPOST_FINGERPRINT_MISMATCH';
  constructor(expected: string, actual: string) {
    super(`certificate fingerprint mismatch: expected ${expected}, got ${actual}`);
  }
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** OpenSSL verification results (error.code on a TLS socket) that mean "this certificate is not trusted". */
const UNTRUSTED_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'INVALID_CA',
  'INVALID_PURPOSE',
]);

/** `AA:BB:…` (32 colon-separated bytes) or 64 hex digits, any case, surrounding blanks ignored -> `AA:BB:…`;
 *  anything else -> null. */
export function parseFingerprint(text: string): string | null {
  const trimmed = text.trim();
  if (!/^(?:[0-9a-f]{2}:){31}[0-9a-f]{2}$/i.test(trimmed) && !/^[0-9a-f]{64}$/i.test(trimmed)) return null;
  return trimmed.replace(/:/g, '').toUpperCase().match(/../g)!.join(':');
}

/** The certificates of a PEM file, each checked to parse, joined back into one PEM bundle. Throws Error saying
 *  what is wrong (no certificate, or which one does not parse). */
export function parseCaPem(text: string): string {
  const blocks = text.match(PEM_CERTIFICATE) ?? [];
  if (!blocks.length) throw new Error('no PEM certificate (-----BEGIN CERTIFICATE-----) in it');
  blocks.forEach((block, i) => {
    try {
      new X509Certificate(block);
    } catch (error) {
      throw new Error(`certificate ${i + 1} does not parse: ${(error as Error).message}`, { cause: error });
    }
  });
  return blocks.join('\n') + '\n';
}

/** TLS options for a connection to the collector: none without a pin (system store, Node's checks). */
export function pinnedTlsOptions(pin: TlsPin | undefined): PinnedTlsOptions {
  const options: PinnedTlsOptions = {};
  if (pin?.ca) options.ca = pin.ca;
  const expected = pin?.fingerprint;
  if (expected) {
    // Called by tls.connect only after the chain verified. The fingerprint is checked first so that a collector
    // presenting another certificate is reported as such; the host name is still checked after it.
    options.checkServerIdentity = (host, cert) =>
      cert.fingerprint256 !== expected ? new FingerprintMismatchError(expected, cert.fingerprint256) : nodeCheckServerIdentity(host, cert);
  }
  return options;
}

/** A message for a person when `error` is the collector's certificate being refused; undefined for other errors
 *  (refused connection, timeout, …), which callers report as they did before. */
export function describeTlsFailure(error: Error, pin: TlsPin | undefined): string | undefined {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (error instanceof FingerprintMismatchError) return error.message;
  const store = pin?.ca ? 'the pinned CA (--ca)' : "the system's CA store";
  if (UNTRUSTED_CODES.has(code)) return `the collector's certificate is not trusted by ${store}: ${error.message} (${code})`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `the collector's certificate does not name this server: ${error.message}`;
  return undefined;
}
