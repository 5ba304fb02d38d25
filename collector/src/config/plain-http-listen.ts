// Where plain (non-TLS) HTTP may listen. Agent credentials and enrollment tokens travel in headers and bodies, so
// plain HTTP is accepted only on loopback, unless agents.allowPlainRemote says a TLS-terminating proxy is in front.
import { isIP } from 'node:net';
import { ConfigError } from '../errors.js';

/** True for 127.0.0.0/8, ::1, ::ffff:127.x and the name localhost. Anything else (0.0.0.0, ::, names) is remote. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/**
 * Throws ConfigError naming `listen` and `agents.allowPlainRemote` for plain HTTP on a non-loopback address;
 * returns a warning to log when it is allowed anyway, null when there is nothing to say.
 */
export function checkListenPolicy(input: { host: string; tls: boolean; allowPlainRemote: boolean }): string | null {
  if (input.tls || isLoopbackHost(input.host)) return null;
  if (!input.allowPlainRemote) {
    throw new ConfigError(
      `listen: ${input.host} is not a loopback address and TLS is off (tls.cert/tls.key); set them, or set ` +
        'agents.allowPlainRemote: true if a TLS-terminating proxy is in front',
    );
  }
  return `plain HTTP on non-loopback ${input.host} (agents.allowPlainRemote): credentials cross the network unencrypted unless a TLS proxy terminates in front`;
}
