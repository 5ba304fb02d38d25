// The coded HTTP errors of the release, deployment and update routes (the rest are in ../errors.ts).
import { HttpError } from '../errors.js';

export const releaseErrors = {
  unauthorized: () => new HttpError(401, 'unauthorized', 'an agent credential or an enrollment token is required (Authorization: Bearer ...)'),
  tokenRefused: (reason: string) => new HttpError(401, `token_${reason}`, `enrollment token refused: ${reason.replace('_', ' ')}`),
  releaseUnknown: (version: string, name: string) => new HttpError(404, 'release_unknown', `no release file ${name} of version ${version}`),
  releaseChanged: (file: string) => new HttpError(503, 'release_changed', `${file} changed on disk since the releases were loaded; reload the collector (SIGHUP)`),
  noRelease: (message: string) => new HttpError(503, 'no_release', message),
  badHost: () => new HttpError(400, 'bad_host', 'the Host header is not a host name; set server.publicUrl'),
};
