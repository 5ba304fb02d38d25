// The updater as `watchpost-agent run` uses it: this executable's version, target, embedded release key and
// installation (found from process.execPath), the enrolled collector, and the hooks the link calls.
import { statSync } from 'node:fs';
import type { LinkOptions } from '../delivery/link.js';
import type { Logger } from '../base/log.js';
import type { SampleDraft } from '../sample.js';
import type { Identity } from '../identity/state.js';
import { AGENT_VERSION } from '../version.js';
import { releaseKey } from './release-key.js';
import { detectInstallation } from './swap.js';
import { agentTarget } from './target.js';
import { createUpdater, type Updater } from './updater.js';

export interface RunUpdaterDeps {
  identity: Identity;
  stateDir: string;
  log: Logger;
  /** RunningAgent.report for one point. */
  report(draft: SampleDraft): void;
  /** Stop the agent and exit with EXIT_RESTART. */
  restart(reason: string): void;
}

export interface RunUpdater extends Updater {
  /** For startAgent's `link` option. */
  linkHooks: Pick<LinkOptions, 'onUpdateOffer' | 'onWelcome'>;
}

export function createRunUpdater(deps: RunUpdaterDeps): RunUpdater {
  const installation = detectInstallation(process.execPath, process.platform);
  const updater = createUpdater({
    version: AGENT_VERSION,
    target: agentTarget(process.platform, process.arch),
    releaseKey: releaseKey(),
    installation,
    stateDir: deps.stateDir,
    collector: { server: deps.identity.server, credential: deps.identity.credential, ...(deps.identity.tls ? { tls: deps.identity.tls } : {}) },
    log: deps.log,
    report: deps.report,
    restart: deps.restart,
    // A new version gets the permissions the installer gave this one; a delta rebuilds it from this one.
    ...('unsupported' in installation ? {} : { executableMode: statSync(process.execPath).mode & 0o777, executable: process.execPath }),
  });
  return { ...updater, linkHooks: { onUpdateOffer: (offer) => void updater.offer(offer), onWelcome: () => updater.welcome() } };
}
