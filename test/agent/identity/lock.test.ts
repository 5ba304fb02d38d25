import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCK_FILE, LockError, lockStateDir } from '../../../agent/src/identity/lock.js';
import { saveIdentity } from '../../../agent/src/identity/state.js';
import { until } from '../../helpers/until.js';
import { cliEnv, spawnCli } from '../helpers/cli.js';

const dir = () => mkdtempSync(join(tmpdir(), 'wp-lock-'));

/** A pid that certainly belongs to no process: a child that has already exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

describe('state directory lock', () => {
  it('writes our pid owner-only and removes the file on release', () => {
    const d = dir();
    const lock = lockStateDir(d);
    expect(readFileSync(join(d, LOCK_FILE), 'utf8')).toBe(`${process.pid}\n`);
    lock.release();
    expect(existsSync(join(d, LOCK_FILE))).toBe(false);
  });

  it('refuses while another live process holds it, naming that pid', async () => {
    const d = dir();
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      writeFileSync(join(d, LOCK_FILE), `${holder.pid}\n`);
      expect(() => lockStateDir(d)).toThrow(LockError);
      expect(() => lockStateDir(d)).toThrow(`another watchpost-agent (pid ${holder.pid}) is running`);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('takes over a lock left by a process that is gone (crash, SIGKILL)', async () => {
    const d = dir();
    writeFileSync(join(d, LOCK_FILE), `${await deadPid()}\n`);
    const lock = lockStateDir(d);
    expect(readFileSync(join(d, LOCK_FILE), 'utf8')).toBe(`${process.pid}\n`);
    lock.release();
  });

  it('takes over a lock file with garbage in it', () => {
    const d = dir();
    writeFileSync(join(d, LOCK_FILE), 'not a pid');
    expect(() => lockStateDir(d).release()).not.toThrow();
  });
});

describe('watchpost-agent run with a state directory already in use', () => {
  it('exits 1 naming the running agent, and the first keeps running', async () => {
    const d = dir();
    // An identity pointing at a port nothing listens on: the first agent keeps retrying, which is all we need.
    saveIdentity(d, { server: 'http://127.0.0.1:9', agentId: 'ag_x', tenant: 't', credential: 'wpa_ag_x.s', enrolledAt: new Date().toISOString() });
    const first = spawnCli(['run', '--state-dir', d], cliEnv());
    try {
      await until(() => existsSync(join(d, LOCK_FILE)), 20_000, 'the first agent to take the lock');
      const second = await spawnCli(['run', '--state-dir', d], cliEnv()).result;
      expect(second.code).toBe(1);
      expect(second.stderr).toContain(`another watchpost-agent (pid ${first.pid}) is running`);
      expect(first.exitCode).toBeNull();
    } finally {
      first.kill('SIGTERM');
      expect((await first.result).code).toBe(0);
    }
    expect(existsSync(join(d, LOCK_FILE))).toBe(false);
  });
});
