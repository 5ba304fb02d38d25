// watchpost-collector deploy: a short-lived, multi-use enrollment token and the one-line installers that use it,
// for an RMM or GPO push to a tenant's endpoints. The token is in a header of each one-liner, never in a URL.
//
// The lines are only worth printing when the release the tenant's installs get (its rollout's version, else the
// newest in releases.dir) can install on their OS: without one the scripts answer 503 no_release. So deploy reads
// releases.dir and updates.file as the collector does, and refuses (exit 1, the fix on stderr, no token created)
// when no requested OS has a release; an OS left out of a release whose other OS has one is printed with a warning.
import { UsageError } from '../errors.js';
import { parseListen, type Config } from '../config/config.js';
import { DEPLOY_OSES, DeployScriptError, oneLiner, releaseGaps, type DeployOs } from '../releases/deploy-scripts.js';
import { createUpdateService } from '../releases/update-service.js';
import type { Release } from '../releases/release-set.js';
import { CONFIG_OPTION, type Command } from './command.js';
import { withStore } from './context.js';
import { tokenGrant } from './token-grant.js';

/** Long enough for an RMM push to reach machines that are on, short enough that a leaked line soon expires. */
const DEFAULT_EXPIRY = '2h';
const DEFAULT_USES = 500;
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);
const LOOPBACK = /^(127\.|localhost$|::1$)/;

const WINDOWS_HEADING = '# Windows (PowerShell 5.1+, as Administrator or SYSTEM: an RMM script or a GPO startup script)';
const UNIX_HEADING = '# Linux and macOS (as root, or as a user who may sudo: the line uses sudo only when not root)';
const OS_NAMES: Readonly<Record<DeployOs, string>> = { windows: 'Windows', linux: 'Linux', macos: 'macOS' };
const RELEASE_FIX =
  'put a signed release in releases.dir (scripts/release-sign.ts writes <dir>/<version>/ with manifest.json; see "Upgrading" in the README), ' +
  'then reload the collector (SIGHUP) and run deploy again';

/** Thrown when the one-liners could install nothing: exit 1 with the message, which says what to fix. */
class NoRelease extends Error {}

/** The release the tenant's new installs get, as the running collector would choose it from the same config. */
function installRelease(config: Config, tenant: string, warn: (line: string) => void): Release {
  const log = {
    info: () => {},
    warn: (object: object, message: string) => warn(`warning: ${message}: ${JSON.stringify(object)}`),
    error: (object: object, message: string) => warn(`warning: ${message}: ${JSON.stringify(object)}`),
  };
  const settings = { releasesDir: config.releases.dir, publicKeyFile: config.releases.publicKey, updatesFile: config.updates.file };
  const chosen = createUpdateService(settings, log).installRelease(tenant);
  if ('error' in chosen) throw new NoRelease(`nothing to install: ${chosen.error}; the one-liners would fail with 503 no_release. Fix: ${RELEASE_FIX}`);
  return chosen.release;
}

/** Checks the release against the OSes asked for: refuses when none can install, warns for each one that cannot. */
function checkRelease(release: Release, tenant: string, oses: readonly DeployOs[], warn: (line: string) => void): void {
  const gaps = oses.map((os) => ({ os, ...releaseGaps(release, os) }));
  const what = (os: DeployOs, gap: string) => `release ${release.version} (the one tenant ${tenant}'s installs get) has ${gap}: the ${OS_NAMES[os]} line`;
  if (gaps.every((g) => g.missing)) {
    const reasons = gaps.map((g) => `${OS_NAMES[g.os]}: ${g.missing}`).join('; ');
    throw new NoRelease(
      `release ${release.version} (the one tenant ${tenant}'s installs get) cannot install on ${oses.map((os) => OS_NAMES[os]).join(', ')} (${reasons}). Fix: ${RELEASE_FIX}`,
    );
  }
  for (const g of gaps) {
    if (g.missing) warn(`warning: ${what(g.os, g.missing)} fails until a release with it is loaded (${RELEASE_FIX})`);
    else if (g.partly) warn(`warning: ${what(g.os, g.partly)} fails on such machines`);
  }
}

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
      const warn = (line: string) => process.stderr.write(line + '\n');
      const server = serverFor(input.values.server, config, warn);
      // The URL is checked before a token exists, so a typo leaves no live token behind.
      try {
        oneLiner('linux', server, 'check');
      } catch (error) {
        if (error instanceof DeployScriptError) throw new UsageError(`--server: ${error.message}`);
        throw error;
      }
      // So is the release: no token is created for lines that could install nothing.
      if (!store.tenants.get(tenant)) throw new Error(`unknown tenant: ${tenant}`);
      try {
        checkRelease(installRelease(config, tenant, warn), tenant, oses, warn);
      } catch (error) {
        if (error instanceof NoRelease) {
          warn(`watchpost-collector deploy: ${error.message}`);
          return 1;
        }
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
