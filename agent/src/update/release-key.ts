// The release public key this build trusts. `scripts/build-agent.ts --release-key FILE.pub` defines the global
// below (esbuild `define`) as the key's PEM; a build without it, and every tsx run, has none, and then every update
// offer is refused with NO_RELEASE_KEY and reported. The `typeof` guard is what keeps an undefined global legal.
import type { KeyObject } from 'node:crypto';
import { parseReleasePublicKey } from './signature.js';

declare const __WATCHPOST_RELEASE_KEY__: string | undefined;

export const NO_RELEASE_KEY = 'this build has no release key';

export type ReleaseKey = { key: KeyObject } | { key: null; reason: string };

/** The PEM the build embedded, if any. */
export function embeddedReleaseKeyPem(): string | undefined {
  return typeof __WATCHPOST_RELEASE_KEY__ === 'string' && __WATCHPOST_RELEASE_KEY__ ? __WATCHPOST_RELEASE_KEY__ : undefined;
}

/** The key from a PEM (default: the embedded one). Never throws: the build checks the key, so a bad one here is a
 *  broken build, which must refuse updates rather than stop the agent. */
export function releaseKey(pem: string | undefined = embeddedReleaseKeyPem()): ReleaseKey {
  if (!pem) return { key: null, reason: NO_RELEASE_KEY };
  try {
    return { key: parseReleasePublicKey(pem) };
  } catch (error) {
    return { key: null, reason: `the embedded release key is unusable: ${(error as Error).message}` };
  }
}
