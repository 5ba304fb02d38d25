// The installed layout per platform, computed the same on any machine, and where it lands
// under --root.
import { describe, expect, it } from 'vitest';
import { installPaths, onDisk, versionExecutable } from '../../../agent/src/service/paths.js';

describe('installPaths', () => {
  it.each([
    [
      'linux',
      {},
      {
        prefix: '/opt/watchpost-agent',
        serviceExecutable: '/opt/watchpost-agent/current/watchpost-agent',
        stateDir: '/var/lib/watchpost-agent',
        logDir: undefined,
        serviceFile: '/etc/systemd/system/watchpost-agent.service',
      },
    ],
    [
      'darwin',
      {},
      {
        prefix: '/Library/Application Support/Watchpost',
        serviceExecutable: '/Library/Application Support/Watchpost/current/watchpost-agent',
        stateDir: '/Library/Application Support/Watchpost/state',
        logDir: '/Library/Logs/Watchpost',
        serviceFile: '/Library/LaunchDaemons/com.watchpost.agent.plist',
      },
    ],
    [
      'win32',
      {},
      {
        prefix: 'C:\\Program Files\\Watchpost',
        serviceExecutable: 'C:\\Program Files\\Watchpost\\watchpost-agent.exe',
        stateDir: 'C:\\ProgramData\\Watchpost',
        logDir: 'C:\\ProgramData\\Watchpost\\logs',
        serviceFile: 'C:\\Program Files\\Watchpost\\watchpost-agent-service.xml',
      },
    ],
    [
      'win32',
      { ProgramFiles: 'D:\\Apps', ProgramData: 'D:\\Data' },
      {
        prefix: 'D:\\Apps\\Watchpost',
        serviceExecutable: 'D:\\Apps\\Watchpost\\watchpost-agent.exe',
        stateDir: 'D:\\Data\\Watchpost',
        logDir: 'D:\\Data\\Watchpost\\logs',
        serviceFile: 'D:\\Apps\\Watchpost\\watchpost-agent-service.xml',
      },
    ],
  ] as const)('%s %j', (platform, env, expected) => {
    expect(installPaths(platform, env)).toEqual({ platform, ...expected });
  });

  it.each([
    ['linux', '/opt/watchpost-agent/versions/0.2.0/watchpost-agent'],
    ['darwin', '/Library/Application Support/Watchpost/versions/0.2.0/watchpost-agent'],
    ['win32', 'C:\\Program Files\\Watchpost\\watchpost-agent.exe'],
  ] as const)('the executable of a version on %s: %s', (platform, expected) => {
    expect(versionExecutable(installPaths(platform, {}), '0.2.0')).toBe(expected);
  });
});

describe('onDisk', () => {
  it.each([
    [undefined, '/opt/watchpost-agent', 'linux', '/opt/watchpost-agent'],
    ['/scratch', '/opt/watchpost-agent', 'linux', '/scratch/opt/watchpost-agent'],
    ['/scratch', '/Library/Application Support/Watchpost', 'darwin', '/scratch/Library/Application Support/Watchpost'],
    ['D:\\scratch', 'C:\\Program Files\\Watchpost', 'win32', 'D:\\scratch\\C\\Program Files\\Watchpost'],
    [undefined, 'C:\\ProgramData\\Watchpost', 'win32', 'C:\\ProgramData\\Watchpost'],
  ] as const)('root %s, %s on %s -> %s', (root, path, platform, expected) => {
    expect(onDisk(root, path, platform)).toBe(expected);
  });
});
