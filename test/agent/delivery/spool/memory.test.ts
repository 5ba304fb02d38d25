// MemorySpool runs the shared Spool contract (contract.ts), plus what is its own.
import { describe, expect, it } from 'vitest';
import { MemorySpool } from '../../../../agent/src/delivery/spool/memory.js';
import { spoolContract } from './contract.js';

spoolContract('MemorySpool', ({ maxBytes, onSettled }) => new MemorySpool({ maxBytes, ...(onSettled ? { onSettled } : {}) }));

describe('MemorySpool', () => {
  it('starts its sequence numbers at firstSeq', () => {
    const spool = new MemorySpool({ maxBytes: 1024, firstSeq: 500 });
    expect(spool.nextSeq()).toBe(500);
    expect(spool.nextSeq()).toBe(501);
  });
});
