// Release version names: semantic versions (MAJOR.MINOR.PATCH, optional -prerelease and +build). An offered
// version becomes a directory name (<prefix>/versions/<version>) and part of file names, so only names that match
// are ever used: no '/', '\', '..' or other path syntax can match.

const VERSION_RE = /^(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;
const MAX_VERSION_LENGTH = 64;

export function isReleaseVersion(text: string): boolean {
  return text.length <= MAX_VERSION_LENGTH && VERSION_RE.test(text);
}
