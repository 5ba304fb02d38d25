// sshd_config -> the TCP ports sshd listens on, as sshd_config(5) defines them: `Port` may be given several times
// (each adds a port; none means 22), `ListenAddress host:port` / `[v6]:port` listens on that port instead, and
// `Include` reads further files (globs; relative paths are relative to the configuration directory) in place, in
// lexical order. Directives inside a `Match` block (up to the next `Match`, a `Match all`, or the end of the file it
// is in) are skipped: sshd refuses Port and ListenAddress there. Keywords are case-insensitive and may be written
// `Keyword=value`. Globs are supported in the last path component, as every distribution's default
// (`sshd_config.d/*.conf`) uses them.

/** sshd's own limit on nested Include (READCONF_MAX_DEPTH). */
const MAX_INCLUDE_DEPTH = 16;
export const SSH_DEFAULT_PORT = 22;

export interface SshdDirective {
  keyword: string;
  args: string[];
  /** Inside a Match block. */
  conditional: boolean;
}

/** Arguments split on whitespace, a double-quoted argument kept whole. */
function splitArgs(text: string): string[] {
  return [...text.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

export function parseSshdConfig(text: string, conditional = false): SshdDirective[] {
  const out: SshdDirective[] = [];
  let inMatch = conditional;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([A-Za-z]+)(?:\s*=\s*|\s+)(.*)$/.exec(line);
    if (!m) continue;
    const keyword = m[1]!.toLowerCase();
    const args = splitArgs(m[2]!);
    if (keyword === 'match') {
      inMatch = !(args.length === 1 && args[0]!.toLowerCase() === 'all');
      continue;
    }
    out.push({ keyword, args, conditional: inMatch });
  }
  return out;
}

/** The port of a `ListenAddress` argument, when it names one. A bare IPv6 address (colons, no brackets) has none. */
export function listenAddressPort(arg: string): number | undefined {
  const m = /^\[[^\]]*\]:(\d+)$/.exec(arg) ?? /^[^:[\]]*:(\d+)$/.exec(arg);
  return m ? Number(m[1]) : undefined;
}

export interface ConfigFiles {
  /** A file's text; undefined when it does not exist. */
  read(path: string): Promise<string | undefined>;
  /** The names in a directory; empty when it does not exist. */
  list(dir: string): Promise<string[]>;
  /** An Include argument as a path to read: relative to the configuration directory, platform prefixes expanded. */
  resolve(pattern: string): string;
  /** Directory and last component of a path, and joining them back. */
  split(path: string): { dir: string; base: string };
  join(dir: string, base: string): string;
}

function globRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

async function expand(files: ConfigFiles, pattern: string): Promise<string[]> {
  const path = files.resolve(pattern);
  const { dir, base } = files.split(path);
  if (!/[*?[]/.test(base)) return [path];
  const re = globRegExp(base);
  return (await files.list(dir))
    .filter((name) => re.test(name))
    .sort()
    .map((name) => files.join(dir, name));
}

/** Every directive of the configuration in the order sshd reads them, Include resolved. */
export async function readSshdConfig(path: string, files: ConfigFiles): Promise<SshdDirective[] | undefined> {
  const text = await files.read(path);
  if (text === undefined) return undefined;
  const walk = async (directives: SshdDirective[], depth: number): Promise<SshdDirective[]> => {
    const out: SshdDirective[] = [];
    for (const d of directives) {
      if (d.keyword !== 'include') {
        out.push(d);
        continue;
      }
      if (depth >= MAX_INCLUDE_DEPTH) throw new Error(`remote_access: sshd_config Include nested deeper than ${MAX_INCLUDE_DEPTH}`);
      for (const pattern of d.args) {
        for (const file of await expand(files, pattern)) {
          const included = await files.read(file);
          if (included !== undefined) out.push(...(await walk(parseSshdConfig(included, d.conditional), depth + 1)));
        }
      }
    }
    return out;
  };
  return walk(parseSshdConfig(text), 0);
}

export interface SshdPorts {
  ports: number[];
  /** `sshd_config` when a Port or ListenAddress set them, `default` when sshd falls back to 22. */
  source: 'sshd_config' | 'default';
}

/** The ports of the configuration's unconditional Port and ListenAddress directives. */
export function sshdPorts(directives: readonly SshdDirective[]): SshdPorts {
  const top = directives.filter((d) => !d.conditional);
  const configured = top.filter((d) => d.keyword === 'port').flatMap((d) => d.args.map(Number).filter((n) => Number.isInteger(n) && n > 0 && n < 65536));
  const ports = configured.length > 0 ? configured : [SSH_DEFAULT_PORT];
  const listen = top.filter((d) => d.keyword === 'listenaddress').map((d) => (d.args[0] === undefined ? undefined : listenAddressPort(d.args[0])));
  // A ListenAddress without a port listens on every Port; one with a port only on that port.
  const effective = [...(listen.length === 0 || listen.includes(undefined) ? ports : []), ...listen.filter((p): p is number => p !== undefined)];
  return { ports: [...new Set(effective)], source: configured.length > 0 || listen.some((p) => p !== undefined) ? 'sshd_config' : 'default' };
}
