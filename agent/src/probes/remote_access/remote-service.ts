// One remote-access service as every platform reports it, its `remote_access` sample, and what the platforms share:
// reading sshd_config's files from disk and matching ports against the listening ones.
import { lstat, readdir, readFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { int, type FieldValue, type SampleDraft } from '../../sample.js';
import { SSH_DEFAULT_PORT, type ConfigFiles } from './sshd-config.js';

export const STANDARD_PORTS = { rdp: 3389, ssh: SSH_DEFAULT_PORT } as const;
export type RemoteServiceName = keyof typeof STANDARD_PORTS;
export interface RemoteService {
  installed: boolean;
  /** Accepts connections, or starts with the system; undefined when it cannot be told. */
  enabled?: boolean;
  /** Something listens on its port now; undefined when it cannot be told. */
  listening?: boolean;
  ports?: number[];
  source?: string;
}

export function remoteAccessSample(service: RemoteServiceName, s: RemoteService): SampleDraft {
  const fields: Record<string, FieldValue> = { installed: s.installed };
  if (s.enabled !== undefined) fields.enabled = s.enabled;
  if (s.installed) {
    if (s.listening !== undefined) fields.listening = s.listening;
    if (s.ports && s.ports.length > 0) {
      fields.port = int(s.ports[0]!);
      fields.ports = s.ports.join(',');
      fields.standard_port = s.ports.includes(STANDARD_PORTS[service]);
    }
    if (s.source) fields.source = s.source;
  }
  return { measurement: 'remote_access', tags: { service }, fields };
}

export const notInstalled = (service: RemoteServiceName): SampleDraft => remoteAccessSample(service, { installed: false, enabled: false });

export async function optional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '')) return undefined;
    throw error;
  }
}

export const present = (path: string): Promise<boolean> =>
  lstat(path).then(
    () => true,
    () => false,
  );

/** sshd_config's files on this machine: an Include path, after `expand`, is read through `absolute` when absolute and
 *  relative to `configDir` otherwise. */
export function configFiles(configDir: string, absolute: (path: string) => string, expand = (path: string) => path): ConfigFiles {
  return {
    read: optional,
    list: (dir) => readdir(dir).catch(() => []),
    resolve: (pattern) => {
      const path = expand(pattern);
      return isAbsolute(path) ? absolute(path) : join(configDir, path);
    },
    split: (path) => ({ dir: dirname(path), base: basename(path) }),
    join,
  };
}

export const listeningOn = (ports: readonly number[] | undefined, open: ReadonlySet<number> | undefined): boolean | undefined =>
  open === undefined || !ports ? undefined : ports.some((p) => open.has(p));
