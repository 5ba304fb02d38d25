// watchpost-collector deploy: a short-lived, multi-use enrollment token and the one-line installers that use it,
// for an RMM or GPO push to a tenant's endpoints. The token is in a header of each one-liner, never in a URL.
import { UsageError } from '../errors.js';
import { parseListen, type Config } from '../config/config.js';
import { DEPLOY_OSES, DeployScriptError, oneLiner, type DeployOs } from '../releases/deploy-scripts.js';
import { CONFIG_OPTION, type Command } from './command.js';
import { withStore } from './context.js';
import { tokenGrant } from './token-grant.js';

/** Long enough for an RMM push to reach machines that are on, short enough that a leaked line soon expires. */
const DEFAULT_EXPIRY = '2h';
const DEFAULT_USES = 500;
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);
const LOOPBACK = /^(127\.|localhost$|::1$)/;

const WINDOWS_HEADING = '# Windows (PowerShell 5.1+, as Administrator or SYSTEM: an RMM script or a GPO startup script)';
const UNIX_HEADING = '# Linux and macOS (as root; without sudo when the RMM already runs as root)';

/** --server, else server.publicUrl, else the listen address; a wildcard listen address cannot be reached. */
function serverFor(option: unknown, config: Config, warn: (line: string) => void): string {
  const given = typeof option === 'string' && option ? option : config.server.publicUrl;
  if (given) return given.replace(/\/+$/, '');
  const { host, port } = parseListen(config.listen);
  if (WILDCARD_HOSTS.has(host))
    throw new UsageError(`--server is required: the listen address ${config.listen} is not one endpoints can use (or set server.publicUrl)`);
  if (LOOPBACK.test(host)) warn(`warning: ${host} is this machine's loopback address; other endpoints need --server URL (or server.publicUrl)`);
  const scheme = config.tls.cert ? 'https' : 'http';
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function osesFrom(option: unknown): DeployOs[] {
  if (option === undefined) return [...DEPLOY_OSES];
  if (typeof option === 'string' && (DEPLOY_OSES as readonly string[]).includes(option)) return [option as DeployOs];
  throw new UsageError(`--os: expected one of ${DEPLOY_OSES.join(', ')}, got "${String(option)}"`);
}

export const deploy: Command = {
  usage: '--tenant ID [--expires 2h] [--uses 500] [--os windows|linux|macos] [--server URL] [--config FILE]',
  summary: 'create a short-lived multi-use enrollment token and print the one-line installers for an RMM/GPO push',
  options: {
    ...CONFIG_OPTION,
    tenant: { type: 'string' },
    expires: { type: 'string' },
    uses: { type: 'string' },
    os: { type: 'string' },
    server: { type: 'string' },
  },
  run: (input) =>
    withStore(input, (store, config) => {
      const { tenant, ttlMs: ttl, uses: count } = tokenGrant(input.values, input.positionals, { expires: DEFAULT_EXPIRY, uses: DEFAULT_USES });
      const oses = osesFrom(input.values.os);
      const server = serverFor(input.values.server, config, (line) => process.stderr.write(line + '\n'));
      // The URL is checked before a token exists, so a typo leaves no live token behind.
      try {
        oneLiner('linux', server, 'check');
      } catch (error) {
        if (error instanceof DeployScriptError) throw new UsageError(`--server: ${error.message}`);
        throw error;
      }
      const expiresAt = Date.now() + ttl;
      const created = store.tokens.create({ tenant, expiresAt, uses: count });
      // One --os: the bare line (for scripts); else both, under headings (Linux and macOS share the sh installer).
      process.stdout.write(
        oses.length === 1
          ? `${oneLiner(oses[0]!, server, created.token)}\n`
          : `${WINDOWS_HEADING}\n${oneLiner('windows', server, created.token)}\n\n${UNIX_HEADING}\n${oneLiner('linux', server, created.token)}\n`,
      );
      process.stderr.write(
        `token ${created.id} for tenant ${tenant}: enrolls up to ${count} agent(s) and downloads their installer until ${new Date(expiresAt).toISOString()}` +
          ` (revoke it early: watchpost-collector token revoke ${created.id})\n`,
      );
      return 0;
    }),
};
