// AckCheckpoints against a timeline of acks and drops, then wired to a real DiskSpool's settle listener.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AckCheckpoints } from '../../../agent/src/checkpoints/ack-checkpoints.js';
import { DiskSpool } from '../../../agent/src/delivery/spool/disk.js';
import { recordingLogger } from '../helpers/recording-log.js';

function rig() {
  const committed: string[] = [];
  const errors: string[] = [];
  const checkpoints = new AckCheckpoints((key, error) => errors.push(`${key}: ${(error as Error).message}`));
  const register = (seq: number, key: string, value: string) => checkpoints.register(seq, key, () => committed.push(`${key}=${value}`));
  return { checkpoints, committed, errors, register };
}

describe('AckCheckpoints', () => {
  it('commits a checkpoint when its batch is acked', () => {
    const { checkpoints, committed, register } = rig();
    register(1, 'eventlog:System', '100');
    expect(committed).toEqual([]);
    checkpoints.settle(1, 'acked');
    expect(committed).toEqual(['eventlog:System=100']);
    expect(checkpoints.waiting()).toEqual({});
  });

  it('an ack out of order waits for the earlier batch of the same key, then commits only the newest', () => {
    const { checkpoints, committed, register } = rig();
    register(1, 'k', 'a');
    register(2, 'k', 'b');
    register(3, 'k', 'c');
    checkpoints.settle(3, 'acked');
    checkpoints.settle(2, 'acked');
    expect(committed).toEqual([]);
    expect(checkpoints.waiting()).toEqual({ k: 3 });
    checkpoints.settle(1, 'acked');
    expect(committed).toEqual(['k=c']);
  });

  it('keys are independent, and one batch can carry checkpoints of several keys', () => {
    const { checkpoints, committed, register } = rig();
    register(1, 'a', '1');
    register(2, 'b', '1');
    register(3, 'a', '2');
    register(3, 'b', '2');
    checkpoints.settle(2, 'acked');
    expect(committed).toEqual(['b=1']);
    checkpoints.settle(3, 'acked');
    expect(committed).toEqual(['b=1', 'b=2']);
    checkpoints.settle(1, 'acked');
    expect(committed).toEqual(['b=1', 'b=2', 'a=2']);
  });

  it('a dropped batch settles like an ack: the checkpoint advances past the lost data, later ones are not blocked', () => {
    const { checkpoints, committed, register } = rig();
    register(1, 'k', 'a');
    register(2, 'k', 'b');
    checkpoints.settle(1, 'full');
    expect(committed).toEqual(['k=a']);
    checkpoints.settle(2, 'disk_full');
    expect(committed).toEqual(['k=a', 'k=b']);
  });

  it('ignores seqs nobody registered and a second settlement of the same seq', () => {
    const { checkpoints, committed, register } = rig();
    checkpoints.settle(9, 'acked');
    register(10, 'k', 'a');
    checkpoints.settle(10, 'acked');
    checkpoints.settle(10, 'acked');
    expect(committed).toEqual(['k=a']);
  });

  it('refuses a seq that does not increase within a key', () => {
    const { register } = rig();
    register(5, 'k', 'a');
    expect(() => register(5, 'k', 'b')).toThrow(/seq 5 after 5/);
    expect(() => register(4, 'k', 'b')).toThrow(/seq 4 after 5/);
  });

  it('a commit that throws is reported and does not stop the next one', () => {
    const { checkpoints, committed, errors, register } = rig();
    checkpoints.register(1, 'k', () => {
      throw new Error('disk gone');
    });
    register(2, 'k', 'b');
    checkpoints.settle(1, 'acked');
    checkpoints.settle(2, 'acked');
    expect(errors).toEqual(['k: disk gone']);
    expect(committed).toEqual(['k=b']);
  });
});

describe('AckCheckpoints fed by a DiskSpool', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("advances with the spool's acks and its size-bound drops", () => {
    dir = mkdtempSync(join(tmpdir(), 'watchpost-ckpt-'));
    const { checkpoints, committed, register } = rig();
    const spool = DiskSpool.open(dir, { maxBytes: 100, log: recordingLogger(), onSettled: (seq, how) => checkpoints.settle(seq, how) });
    const append = (value: string, size = 40) => {
      const seq = spool.nextSeq();
      register(seq, 'eventlog:Application', value); // before append: the spool may drop it at once
      spool.append({ seq, bytes: new Uint8Array(size), points: 1 });
      return seq;
    };
    const a = append('10');
    const b = append('20');
    spool.ack(b);
    expect(committed).toEqual([]); // a is not settled yet
    append('30', 70); // 110 bytes: a is dropped, which settles it
    expect(committed).toEqual(['eventlog:Application=20']);
    expect(spool.ack(a)).toBeUndefined();
    spool.close();
  });
});
