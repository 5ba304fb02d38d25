// The runner's allow-list for install and uninstall: the service managers' commands by name, and the one
// executable allowed by absolute path (WinSW, shipped beside the agent and not on PATH) by its file name only.
import { describe, expect, it } from 'vitest';
import { ALLOWED_COMMANDS, CommandNotAllowedError, execRunner } from '../../../agent/src/exec/runner.js';

describe('allow-list for the service commands', () => {
  it('has the service managers and Windows helpers install uses', () => {
    for (const command of ['systemctl', 'launchctl', 'icacls.exe', 'whoami.exe']) expect(ALLOWED_COMMANDS.has(command)).toBe(true);
  });

  it.each([
    ['WinSW by name (not on PATH: never searched for)', 'watchpost-agent-service.exe'],
    ['another program by absolute path', 'C:\\Windows\\System32\\cmd.exe'],
    ['WinSW under another name', 'C:\\Program Files\\Watchpost\\winsw.exe'],
  ])('refuses %s', async (_what, command) => {
    await expect(execRunner(command, ['status'])).rejects.toBeInstanceOf(CommandNotAllowedError);
  });

  it('starts WinSW by absolute path (here it does not exist: the spawn fails, the allow-list did not refuse)', async () => {
    const error = await execRunner('/nonexistent/watchpost-agent-service.exe', ['status']).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(CommandNotAllowedError);
    expect((error as NodeJS.ErrnoException).code).toBe('ENOENT');
  });
});
