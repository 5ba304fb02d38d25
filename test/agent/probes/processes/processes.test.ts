import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createProcessesProbe, DARWIN_PS_ARGS } from '../../../../agent/src/probes/processes/processes.js';
import { Int, int } from '../../../../agent/src/sample.js';
import { context, fixture, FIXTURES, replayRunner } from '../fixtures.js';

const value = (v: unknown): number => (v as Int).value;

describe('processes probe on Linux', () => {
  it('counts the captured /proc snapshot (Debian 12) in every state Telegraf knows', async () => {
    const [draft] = await createProcessesProbe({ platform: 'linux', procRoot: `${FIXTURES}linux/proc-snapshot` }).collect(context());
    expect(draft).toEqual({
      measurement: 'processes',
      fields: {
        blocked: int(1),
        zombies: int(1),
        stopped: int(2), // T and t
        running: int(5),
        sleeping: int(67),
        total: int(119),
        unknown: int(0),
        dead: int(0),
        paging: int(0),
        total_threads: int(315),
        idle: int(43),
      },
    });
  });

  it("agrees with procps's ps on this machine's real /proc", async () => {
    const [draft] = await createProcessesProbe().collect(context());
    const f = draft!.fields;
    const states = ['running', 'sleeping', 'idle', 'blocked', 'zombies', 'stopped', 'dead', 'paging', 'unknown'];
    expect(states.reduce((sum, s) => sum + value(f[s]), 0)).toBe(value(f.total));
    // Processes come and go between the two readings (other test runs share the machine): a small margin.
    const ps = execFileSync('ps', ['-e', '-o', 'stat='], { encoding: 'utf8' }).trim().split('\n');
    expect(Math.abs(value(f.total) - ps.length)).toBeLessThanOrEqual(10);
    expect(Math.abs(value(f.idle) - ps.filter((s) => s.trim().startsWith('I')).length)).toBeLessThanOrEqual(5);
    expect(value(f.total_threads)).toBeGreaterThanOrEqual(value(f.total));
    expect(readdirSync('/proc').filter((n) => /^\d+$/.test(n)).length).toBeGreaterThan(0);
  });

  it('skips a process that exits between the listing and the read', async () => {
    // A pid directory without a stat file reads as ENOENT, as /proc does for a process that just exited.
    const root = mkdtempSync(join(tmpdir(), 'wp-proc-'));
    mkdirSync(`${root}/10`);
    mkdirSync(`${root}/11`);
    writeFileSync(`${root}/11/stat`, fixture('linux/proc-snapshot/2/stat'));
    const [draft] = await createProcessesProbe({ platform: 'linux', procRoot: root }).collect(context());
    expect(draft!.fields.total).toEqual(int(1));
  });
});

describe('processes probe on macOS: one ps, parsed by its STAT column', () => {
  it('runs `ps -axo stat` and counts the captured states', async () => {
    const { runner, calls } = replayRunner(fixture('darwin/ps/ps-aux-head-apple-silicon-2026.txt'));
    const [draft] = await createProcessesProbe({ platform: 'darwin' }).collect(context(runner));
    expect(calls).toEqual([{ command: 'ps', args: DARWIN_PS_ARGS }]);
    expect(draft!.fields).toMatchObject({ total: int(10), sleeping: int(10), idle: int(0) });
    expect(draft!.fields).not.toHaveProperty('total_threads');
  });
});

describe('processes probe on Windows', () => {
  it('needs the PowerShell worker', async () => {
    await expect(createProcessesProbe({ platform: 'win32' }).collect(context())).rejects.toThrow(/no PowerShell worker/);
  });
});
