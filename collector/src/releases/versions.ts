// Release versions: semantic versions (MAJOR.MINOR.PATCH, optional -prerelease and +build), which are also
// directory names under releases.dir and a segment of download URLs, so the pattern admits nothing else.

/** Also bounds what reaches the file system: no '/', no '..' segment can match. */
export const VERSION_PATTERN =
  '^(0|[1-9][0-9]{0,8})\\.(0|[1-9][0-9]{0,8})\\.(0|[1-9][0-9]{0,8})(-[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?(\\+[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?$';
const VERSION_RE = new RegExp(VERSION_PATTERN);
const MAX_VERSION_LENGTH = 64;

export function isVersion(text: string): boolean {
  return text.length <= MAX_VERSION_LENGTH && VERSION_RE.test(text);
}

function compareIdentifiers(a: string, b: string): number {
  const numeric = (s: string) => /^[0-9]+$/.test(s);
  if (numeric(a) && numeric(b)) return Number(a) - Number(b);
  if (numeric(a) !== numeric(b)) return numeric(a) ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Semver precedence (build metadata ignored): negative when a is older than b. Both must pass isVersion. */
export function compareVersions(a: string, b: string): number {
  const [coreA = '', preA] = a.split('+')[0]!.split(/-(.*)/s);
  const [coreB = '', preB] = b.split('+')[0]!.split(/-(.*)/s);
  const partsA = coreA.split('.').map(Number);
  const partsB = coreB.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const diff = (partsA[i] ?? 0) - (partsB[i] ?? 0);
    if (diff !== 0) return diff;
  }
  // A prerelease is older than its release (1.0.0-rc.1 < 1.0.0); then identifier by identifier.
  if (!preA || !preB) return preA ? -1 : preB ? 1 : 0;
  const idsA = preA.split('.');
  const idsB = preB.split('.');
  for (let i = 0; i < Math.min(idsA.length, idsB.length); i++) {
    const diff = compareIdentifiers(idsA[i]!, idsB[i]!);
    if (diff !== 0) return diff;
  }
  return idsA.length - idsB.length;
}
