// One agent per state directory: two processes appending to one spool would corrupt it, and two links would
// send the same credential (the collector keeps only the newer connection). The lock is a pid file created
// exclusively; a file left by a process that no longer exists (a crash, SIGKILL, power loss) is taken over.
// A recycled pid can make a stale lock look alive: the message names the pid and file so a person can check.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const LOCK_FILE = 'agent.pid';

export class LockError extends Error {}

/** Whether a process with this pid exists (EPERM: it does, owned by someone else). */
export const isProcessAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

function tryCreate(file: string): boolean {
  try {
    const fd = openSync(file, 'wx', 0o600);
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/** Takes the state directory's lock or throws LockError naming the running agent. */
export function lockStateDir(dir: string): { release(): void } {
  const file = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    if (tryCreate(file)) {
      return { release: () => rmSync(file, { force: true }) };
    }
    const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isProcessAlive(pid)) {
      throw new LockError(`another watchpost-agent (pid ${pid}) is running with ${dir} (lock file ${file})`);
    }
    rmSync(file, { force: true }); // stale: its process is gone
  }
  throw new LockError(`could not take the lock ${file}`);
}
