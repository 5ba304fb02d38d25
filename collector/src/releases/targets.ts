// The agent executables' target names: the same names as scripts/build/targets.ts (a test keeps them equal; the
// collector does not import build code). An agent's target comes from its Hello (process.platform/arch), mapped as
// the agent maps its own: a mirror kept on purpose, agent/src/update/target.ts is its twin (agent and collector never
// import each other).

export type Target = 'linux-x64' | 'linux-arm64' | 'darwin-x64' | 'darwin-arm64' | 'win-x64';

export const TARGETS: readonly Target[] = ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64', 'win-x64'];

/** The Windows service host (WinSW) a Windows release carries beside its executable; not signed by us. */
export const SERVICE_HOST_FILE = 'watchpost-agent-service.exe';
/** Its name in the download route: /api/v1/releases/:version/service-host. */
export const SERVICE_HOST = 'service-host';

/** process.platform -> the target's OS part; platforms we do not build for are absent. */
const OS_PART: Readonly<Record<string, string>> = { linux: 'linux', darwin: 'darwin', win32: 'win' };

export function isTarget(name: string): name is Target {
  return (TARGETS as readonly string[]).includes(name);
}

/** The target of an agent that reports this os/arch (Hello.os, Hello.arch), or null when we build none for it. */
export function targetOf(os: string, arch: string): Target | null {
  const part = Object.hasOwn(OS_PART, os) ? OS_PART[os] : undefined;
  const name = `${part}-${arch}`;
  return part && isTarget(name) ? name : null;
}
