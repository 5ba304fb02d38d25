// One release's manifest.json (written by scripts/release-sign.ts):
//
//   { "version": "0.2.0", "created": "2025-01-31T12:00:00Z",
//     "executables": { "linux-x64": { "file": "watchpost-agent-linux-x64", "sha256": "<hex>", "bytes": 123,
//                                     "signature": "<base64 Ed25519, 64 bytes>" }, ... },
//     "serviceHost": { "file": "watchpost-agent-service.exe", "sha256": "<hex>", "bytes": 456 } }   // optional
//
// Parsing is pure: the text in, a typed manifest or a ConfigError naming the file and the field out. Whether the
// files exist, match their hashes and carry a good signature is release-set.ts's business.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { ConfigError } from '../errors.js';
import { SIGNATURE_BYTES } from './signature.js';
import { TARGETS, type Target } from './targets.js';
import { isVersion, VERSION_PATTERN } from './versions.js';
import { firstSchemaError } from '../config/schema-errors.js';

export const MANIFEST_FILE = 'manifest.json';

/** A plain file name beside the manifest: no separator, no leading dot, so never a path out of the directory. */
const FileName = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', maxLength: 128, expected: 'a file name beside manifest.json (no path)' });
const Sha256 = Type.String({ pattern: '^[0-9a-f]{64}$', expected: 'a lowercase hex SHA-256 (64 characters)' });
const Bytes = Type.Integer({ minimum: 1 });

const ExecutableSchema = Type.Object(
  {
    file: FileName,
    sha256: Sha256,
    bytes: Bytes,
    signature: Type.String({ pattern: '^[A-Za-z0-9+/]{86}(==)?$', expected: 'base64 of a 64-byte Ed25519 signature' }),
  },
  { additionalProperties: false },
);

const ManifestSchema = Type.Object(
  {
    version: Type.String({ pattern: VERSION_PATTERN, maxLength: 64, expected: 'a release version like 1.2.3' }),
    created: Type.String({ minLength: 1 }),
    executables: Type.Object(Object.fromEntries(TARGETS.map((t): [string, TSchema] => [t, Type.Optional(ExecutableSchema)])), {
      additionalProperties: false,
      minProperties: 1,
    }),
    serviceHost: Type.Optional(Type.Object({ file: FileName, sha256: Sha256, bytes: Bytes }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);

type ManifestDoc = Static<typeof ManifestSchema>;

export interface ManifestExecutable {
  target: Target;
  file: string;
  sha256: string;
  bytes: number;
  signature: Buffer;
}

export interface Manifest {
  version: string;
  created: string;
  executables: ManifestExecutable[];
  serviceHost: { file: string; sha256: string; bytes: number } | null;
}

/** Parses and validates one manifest; `dirVersion` is the directory it was found in, which must be its version. */
export function parseManifest(text: string, file: string, dirVersion: string): Manifest {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${file}: not valid JSON: ${(error as Error).message}`);
  }
  const error = firstSchemaError(ManifestSchema, doc);
  if (error) throw new ConfigError(`${file}: ${error}`);
  const manifest = doc as ManifestDoc;
  if (!isVersion(manifest.version)) throw new ConfigError(`${file}: version: not a version: "${manifest.version}"`);
  if (manifest.version !== dirVersion) {
    throw new ConfigError(`${file}: version: "${manifest.version}" does not match its directory "${dirVersion}"`);
  }
  if (Number.isNaN(Date.parse(manifest.created))) throw new ConfigError(`${file}: created: expected an ISO 8601 time, got "${manifest.created}"`);
  const executables = TARGETS.flatMap((target): ManifestExecutable[] => {
    const entry = manifest.executables[target] as Static<typeof ExecutableSchema> | undefined;
    if (!entry) return [];
    const signature = Buffer.from(entry.signature, 'base64');
    if (signature.length !== SIGNATURE_BYTES) throw new ConfigError(`${file}: executables.${target}.signature: expected ${SIGNATURE_BYTES} bytes`);
    return [{ target, file: entry.file, sha256: entry.sha256, bytes: entry.bytes, signature }];
  });
  const files = [...executables.map((e) => e.file), ...(manifest.serviceHost ? [manifest.serviceHost.file] : [])];
  const twice = files.find((name, i) => files.indexOf(name) !== i);
  if (twice) throw new ConfigError(`${file}: executables: "${twice}" is named twice`);
  return { version: manifest.version, created: manifest.created, executables, serviceHost: manifest.serviceHost ?? null };
}
