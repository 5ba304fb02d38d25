import { describe, expect, it } from 'vitest';
import {
  darwinProcessFields,
  linuxProcessFields,
  parsePidStat,
  parsePsStates,
  windowsProcessFields,
} from '../../../../agent/src/probes/processes/process-states.js';
import { int } from '../../../../agent/src/sample.js';
import { fixture } from '../fixtures.js';

const ints = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, int(v)]));

describe('parsePidStat: one /proc/[pid]/stat line (Debian 12 captures)', () => {
  it('reads the state and num_threads of a multi-threaded process', () => {
    expect(parsePidStat(fixture('linux/proc-snapshot/1/stat'))).toEqual({ state: 'S', threads: 39 });
  });

  it('reads after the last ")": a command named "a) (b c" (spaces and parentheses in comm)', () => {
    expect(parsePidStat(fixture('linux/proc-snapshot/6042/stat'))).toEqual({ state: 'S', threads: 1 });
  });

  it.each([
    ['6037', 'D'], // a vfork parent waiting for its child
    ['6035', 'Z'], // an exited child its parent does not wait for
    ['6036', 't'], // a child stopped under ptrace
    ['7148', 'T'], // a process stopped by SIGSTOP
    ['2', 'S'],
  ])('pid %s is in state %s', (pid, state) => {
    expect(parsePidStat(fixture(`linux/proc-snapshot/${pid}/stat`))?.state).toBe(state);
  });

  it('refuses text that is not a stat line', () => {
    expect(parsePidStat('')).toBeUndefined();
    expect(parsePidStat('12 (x) S 1 2')).toBeUndefined();
  });
});

describe('linuxProcessFields', () => {
  it("counts Telegraf's Linux fields, every one present, parked only when seen", () => {
    const procs = [
      { state: 'R', threads: 4 },
      { state: 'S', threads: 1 },
      { state: 'S', threads: 2 },
      { state: 'I', threads: 1 },
      { state: 'D', threads: 1 },
      { state: 'Z', threads: 1 },
      { state: 'T', threads: 1 },
      { state: 't', threads: 1 },
      { state: 'X' },
      { state: 'W', threads: 1 },
    ];
    expect(linuxProcessFields(procs)).toEqual(
      ints({ blocked: 1, zombies: 1, stopped: 2, running: 1, sleeping: 2, total: 10, unknown: 0, dead: 1, paging: 1, total_threads: 13, idle: 1 }),
    );
    expect(
      linuxProcessFields([
        { state: 'P', threads: 1 },
        { state: 'P', threads: 1 },
      ]).parked,
    ).toEqual(int(2));
  });

  it('counts a letter Telegraf does not map (K, x of 2.6.33 to 3.13) as unknown, so the states add up to total', () => {
    const fields = linuxProcessFields([
      { state: 'K', threads: 1 },
      { state: 'x', threads: 1 },
      { state: 'S', threads: 1 },
    ]);
    expect(fields).toMatchObject(ints({ unknown: 2, sleeping: 1, total: 3 }));
  });
});

describe('parsePsStates and darwinProcessFields: macOS ps', () => {
  it('reads the STAT column of a real macOS `ps aux` (Apple Silicon, 2026) by its header', () => {
    const states = parsePsStates(fixture('darwin/ps/ps-aux-head-apple-silicon-2026.txt'));
    expect(states).toEqual(['S', 'S', 'S', 'S', 'S', 'S', 'S', 'S', 'S', 'S']);
    expect(darwinProcessFields(states)).toEqual(ints({ blocked: 0, zombies: 0, stopped: 0, running: 0, sleeping: 10, total: 10, unknown: 0, idle: 0 }));
  });

  it("maps ps(1)'s first letters as Telegraf does: U blocked, I idle, ? unknown", () => {
    // `ps -axo stat` prints only the STAT column under its header.
    const states = parsePsStates('STAT\nSs\nR+\nI\nU\nZ\nT\nS<\n?\n');
    expect(states).toEqual(['S', 'R', 'I', 'U', 'Z', 'T', 'S', '?']);
    expect(darwinProcessFields(states)).toEqual(ints({ blocked: 1, zombies: 1, stopped: 1, running: 1, sleeping: 2, total: 8, unknown: 1, idle: 1 }));
  });

  it('refuses output without a STAT header', () => {
    expect(() => parsePsStates('PID TT\n1 ??\n')).toThrow(/STAT/);
  });
});

describe('windowsProcessFields', () => {
  it('writes total and total_threads from the System object', () => {
    expect(windowsProcessFields({ processes: 384, threads: 5534 })).toEqual(ints({ total: 384, total_threads: 5534 }));
  });

  it('refuses a reply without both counts', () => {
    expect(() => windowsProcessFields({ processes: 3 })).toThrow(/unexpected reply/);
    expect(() => windowsProcessFields(null)).toThrow(/unexpected reply/);
  });
});
