// The systemd unit: parsed back setting by setting, escaping checked against systemd itself (`systemd-analyze
// verify`, systemd 252 on this machine), and the systemctl commands the host gives for each situation. Those
// commands are checked with a recording runner for the cases that need a running systemd (this machine has none
// as PID 1); `systemctl --root` runs for real in install.test.ts.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { systemdHost, systemdUnit } from '../../../agent/src/service/systemd.js';
import { installPaths } from '../../../agent/src/service/paths.js';
import type { HostContext, InstallChange } from '../../../agent/src/service/host.js';
import type { Runner } from '../../../agent/src/exec/runner.js';
import { tempDir } from './helpers.js';

/** [section, key, value] of every setting, in file order (comments and blank lines skipped). */
function parseUnit(text: string): [string, string, string][] {
  const entries: [string, string, string][] = [];
  let section = '';
  for (const line of text.split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) section = header[1]!;
    else entries.push([section, line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]);
  }
  return entries;
}

function verify(unitFile: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile('systemd-analyze', ['verify', '--man=no', unitFile], (error, _stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? -1) : 0, stderr });
    });
  });
}

describe('systemdUnit', () => {
  it('has exactly these settings for the installed layout', () => {
    const paths = installPaths('linux');
    expect(parseUnit(systemdUnit({ executable: paths.serviceExecutable, stateDir: paths.stateDir }))).toEqual([
      ['Unit', 'Description', "Watchpost endpoint monitoring agent: reports this machine to the MSP's collector"],
      ['Unit', 'After', 'network-online.target'],
      ['Unit', 'Wants', 'network-online.target'],
      ['Service', 'Type', 'simple'],
      ['Service', 'ExecStart', '/opt/watchpost-agent/current/watchpost-agent run'],
      ['Service', 'Environment', 'WATCHPOST_STATE_DIR=/var/lib/watchpost-agent'],
      ['Service', 'StateDirectory', 'watchpost-agent'],
      ['Service', 'StateDirectoryMode', '0700'],
      ['Service', 'UMask', '0077'],
      ['Service', 'SyslogIdentifier', 'watchpost-agent'],
      ['Service', 'Restart', 'always'],
      ['Service', 'RestartSec', '10s'],
      ['Service', 'KillMode', 'mixed'],
      ['Service', 'TimeoutStopSec', '30s'],
      ['Service', 'WatchdogSec', '60s'],
      ['Service', 'WatchdogSignal', 'SIGKILL'],
      ['Service', 'NotifyAccess', 'all'],
      ['Service', 'ExecStopPost', `/bin/sh -c 'if [ "$$SERVICE_RESULT" = watchdog ]; then : > "$$WATCHPOST_STATE_DIR/watchdog-timeout"; fi'`],
      ['Service', 'MemoryMax', '300M'],
      ['Service', 'CPUQuota', '25%'],
      ['Service', 'Nice', '10'],
      ['Service', 'IOSchedulingClass', 'idle'],
      ['Service', 'ProtectSystem', 'full'],
      ['Service', 'ProtectHome', 'read-only'],
      ['Service', 'PrivateTmp', 'yes'],
      ['Service', 'NoNewPrivileges', 'yes'],
      ['Service', 'RestrictSUIDSGID', 'yes'],
      ['Service', 'RestrictRealtime', 'yes'],
      ['Service', 'LockPersonality', 'yes'],
      ['Service', 'ProtectKernelModules', 'yes'],
      ['Service', 'ProtectKernelTunables', 'yes'],
      ['Service', 'ProtectControlGroups', 'yes'],
      ['Install', 'WantedBy', 'multi-user.target'],
    ]);
  });

  it.each([
    [
      'a plain path',
      '/opt/wp/agent',
      '/srv/wp-state',
      'd',
      { ExecStart: '/opt/wp/agent run', Environment: 'WATCHPOST_STATE_DIR=/srv/wp-state', Description: 'd' },
    ],
    [
      'spaces: double quotes',
      '/opt/my agent/agent',
      '/srv/my state',
      'd',
      { ExecStart: '"/opt/my agent/agent" run', Environment: '"WATCHPOST_STATE_DIR=/srv/my state"' },
    ],
    [
      '% is a specifier: %%',
      '/opt/100%/agent',
      '/srv/50%',
      'at 100%n',
      { ExecStart: '/opt/100%%/agent run', Environment: 'WATCHPOST_STATE_DIR=/srv/50%%', Description: 'at 100%%n' },
    ],
    [
      '$ in the executable path stays as it is (quoted; no substitution there: verified below)',
      '/opt/a$b/agent',
      '/srv/s',
      'd',
      { ExecStart: '"/opt/a$b/agent" run' },
    ],
    ['a quote in the state directory: escaped', '/opt/wp/agent', '/srv/it"s', 'd', { Environment: '"WATCHPOST_STATE_DIR=/srv/it\\"s"' }],
  ])('%s', (_what, executable, stateDir, description, expected) => {
    const settings = Object.fromEntries(parseUnit(systemdUnit({ executable, stateDir, description })).map(([, k, v]) => [k, v]));
    expect(settings).toMatchObject(expected);
    expect('StateDirectory' in settings).toBe(false); // only for a state directory under /var/lib
  });

  it.each([
    ['a relative executable', { executable: 'agent', stateDir: '/s' }, 'must be absolute'],
    ['a relative state directory', { executable: '/a', stateDir: 's' }, 'must be absolute'],
    ['a newline in the state directory', { executable: '/a', stateDir: '/s\nExecStartPre=/bin/evil' }, 'control character'],
    ['a quote in the executable (systemd refuses to start it)', { executable: '/opt/it"s/agent', stateDir: '/s' }, 'quote or a backslash'],
    ['a backslash in the executable', { executable: '/opt/a\\b/agent', stateDir: '/s' }, 'quote or a backslash'],
  ])('refuses %s', (_what, input, message) => {
    expect(() => systemdUnit(input)).toThrow(message);
  });

  it.each([
    ['the installed layout', 'opt/watchpost-agent/versions/0.1.0'],
    ['a path with a space, % and $', 'my dir/100% $HOME'],
  ])('passes systemd-analyze verify: %s', async (_what, dir) => {
    const scratch = tempDir('wp-unit-');
    const executable = join(scratch, dir, 'watchpost-agent');
    mkdirSync(join(scratch, dir), { recursive: true });
    writeFileSync(executable, '#!/bin/sh\n', { mode: 0o755 });
    const unitFile = join(scratch, 'watchpost-agent.service');
    writeFileSync(unitFile, systemdUnit({ executable, stateDir: '/var/lib/watchpost-agent' }));
    expect(await verify(unitFile)).toEqual({ code: 0, stderr: '' });
  });

  it('systemd-analyze verify fails a unit whose executable is missing (the check is real)', async () => {
    const unitFile = join(tempDir('wp-unit-'), 'watchpost-agent.service');
    writeFileSync(unitFile, systemdUnit({ executable: '/nonexistent/watchpost-agent', stateDir: '/var/lib/watchpost-agent' }));
    const result = await verify(unitFile);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('/nonexistent/watchpost-agent');
  });
});

/** An Exec line's command as systemd runs it: split into words (single quotes keep a word whole), `$$` becomes `$` and
 *  `%%` becomes `%` (systemd.service(5), "Command lines"; systemd.unit(5), "Specifiers"). Enough for the one line
 *  tested here, whose form systemd-analyze verify has accepted above. */
function execWords(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => (m[1] ?? m[2]!).replace(/\$\$/g, '$').replace(/%%/g, '%'));
}

describe("ExecStopPost: the marker of systemd's watchdog kill", () => {
  const stopPost = () => {
    const line = parseUnit(systemdUnit({ executable: '/opt/wp/agent', stateDir: '/var/lib/watchpost-agent' })).find(([, key]) => key === 'ExecStopPost')!;
    return execWords(line[2]);
  };
  // The environment systemd gives ExecStopPost= (systemd.exec(5), "Environment Variables in Spawned Processes"):
  // SERVICE_RESULT, and the unit's Environment= (WATCHPOST_STATE_DIR).
  const run = (serviceResult: string, stateDir: string) =>
    new Promise<number>((resolve) => {
      const [file, ...args] = stopPost();
      execFile(file!, args, { env: { PATH: process.env.PATH, SERVICE_RESULT: serviceResult, WATCHPOST_STATE_DIR: stateDir } }, (error) =>
        resolve(error ? ((error as { code?: number }).code ?? -1) : 0),
      );
    });

  it('is /bin/sh with one script word', () => {
    expect(stopPost()).toEqual(['/bin/sh', '-c', 'if [ "$SERVICE_RESULT" = watchdog ]; then : > "$WATCHPOST_STATE_DIR/watchdog-timeout"; fi']);
  });

  it.each([
    ['watchdog', true],
    ['success', false],
    ['signal', false],
    ['oom-kill', false],
  ])('SERVICE_RESULT=%s: marker %s, exit 0', async (result, made) => {
    const stateDir = join(tempDir('wp-stop-post-'), 'state with space');
    mkdirSync(stateDir);
    expect(await run(result, stateDir)).toBe(0);
    expect(existsSync(join(stateDir, 'watchdog-timeout'))).toBe(made);
  });
});

describe('systemd host commands (a recording runner stands in for a running systemd)', () => {
  const record = () => {
    const calls: string[] = [];
    const runner: Runner = (command, args) => {
      calls.push([command, ...args].join(' '));
      return Promise.resolve({ stdout: '', stderr: '' });
    };
    const ctx: HostContext = { paths: installPaths('linux'), root: undefined, runner, say: () => {} };
    return { calls, ctx };
  };

  it.each<[InstallChange, boolean, string[]]>([
    ['new', true, ['systemctl daemon-reload', 'systemctl enable --now watchpost-agent.service']],
    ['unchanged', true, ['systemctl enable --now watchpost-agent.service']],
    ['changed', true, ['systemctl daemon-reload', 'systemctl enable watchpost-agent.service', 'systemctl restart watchpost-agent.service']],
    ['new', false, ['systemctl daemon-reload', 'systemctl enable watchpost-agent.service']],
    ['changed', false, ['systemctl daemon-reload', 'systemctl enable watchpost-agent.service']],
  ])('install, %s, start %s', async (change, start, expected) => {
    const { calls, ctx } = record();
    await systemdHost.activate(ctx, change, await systemdHost.prepare(ctx, change), start);
    expect(calls).toEqual(expected);
  });

  it('uninstall: disable --now, then daemon-reload once the unit is gone', async () => {
    const { calls, ctx } = record();
    await systemdHost.deactivate(ctx);
    await systemdHost.afterRemoval(ctx);
    expect(calls).toEqual(['systemctl disable --now watchpost-agent.service', 'systemctl daemon-reload']);
  });

  it('under --root: only `systemctl --root=DIR enable|disable`', async () => {
    const { calls, ctx } = record();
    const rooted = { ...ctx, root: '/scratch' };
    await systemdHost.activate(rooted, 'changed', undefined, true);
    await systemdHost.deactivate(rooted);
    await systemdHost.afterRemoval(rooted);
    expect(calls).toEqual(['systemctl --root=/scratch enable watchpost-agent.service', 'systemctl --root=/scratch disable watchpost-agent.service']);
  });

  it('a failing command names itself and carries its error', async () => {
    const ctx: HostContext = {
      ...record().ctx,
      runner: () => Promise.reject(new Error('Command failed: systemctl daemon-reload\nSystem has not been booted with systemd')),
    };
    await expect(systemdHost.activate(ctx, 'new', undefined, true)).rejects.toThrow(
      /^systemctl daemon-reload failed: .*System has not been booted with systemd/s,
    );
  });
});
