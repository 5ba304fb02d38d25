// The agent's own build target, named as scripts/build/targets.ts names the executables (a test keeps the two lists
// equal: agent code does not import build scripts). An update offer is for one target and must equal ours. The
// collector maps Hello.os/arch the same way with its own copy, a mirror kept on purpose: collector/src/releases/targets.ts
// is its twin (agent and collector never import each other).

export type AgentTarget = 'linux-x64' | 'linux-arm64' | 'darwin-x64' | 'darwin-arm64' | 'win-x64';

export const AGENT_TARGETS: readonly AgentTarget[] = ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64', 'win-x64'];

/** process.platform -> the OS part of a target name; platforms we build no executable for are absent. */
const OS_PART: Readonly<Record<string, string>> = { linux: 'linux', darwin: 'darwin', win32: 'win' };

export function isAgentTarget(name: string): name is AgentTarget {
  return (AGENT_TARGETS as readonly string[]).includes(name);
}

/** The target of an agent on this platform/arch (process.platform, process.arch), or null when we build none. */
export function agentTarget(platform: string, arch: string): AgentTarget | null {
  const part = Object.hasOwn(OS_PART, platform) ? OS_PART[platform] : undefined;
  const name = `${part}-${arch}`;
  return part && isAgentTarget(name) ? name : null;
}
