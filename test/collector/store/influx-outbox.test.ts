// The outbox of alert/ticket points: order kept, rows removed only through an id, bounded with drops counted, and
// it survives reopening the file (a collector restart).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../collector/src/store/db.js';
import { createInfluxOutbox } from '../../../collector/src/store/influx-outbox.js';
import { openStore } from '../../../collector/src/store/index.js';

const dirs: string[] = [];
const tempFile = () => {
  const dir = mkdtempSync(join(tmpdir(), 'wp-outbox-'));
  dirs.push(dir);
  return join(dir, 'watchpost.db');
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('influx outbox', () => {
  it('gives rows back oldest first and removes only through the id it is told', () => {
    const outbox = createInfluxOutbox(openDatabase(':memory:'));
    outbox.append(['a v=1 1', 'b v=2 2', 'c v=3 3']);
    const first = outbox.peek(2);
    expect(first.map((r) => r.line)).toEqual(['a v=1 1', 'b v=2 2']);
    outbox.remove(first[1]!.id);
    expect(outbox.peek(10).map((r) => r.line)).toEqual(['c v=3 3']);
    expect(outbox.size()).toBe(1);
  });

  it('drops the oldest rows past its bound and counts them', () => {
    const outbox = createInfluxOutbox(openDatabase(':memory:'), 3);
    outbox.append(['1', '2']);
    outbox.append(['3', '4', '5']);
    expect(outbox.peek(10).map((r) => r.line)).toEqual(['3', '4', '5']);
    expect(outbox.dropped()).toBe(2);
    expect(outbox.size()).toBe(3);
  });

  it('keeps its rows across a restart of the store', () => {
    const file = tempFile();
    const store = openStore(file);
    store.transaction(() => store.influxOutbox.append(['alerts,host=a state="firing" 1']));
    store.close();
    const reopened = openStore(file);
    expect(reopened.influxOutbox.size()).toBe(1);
    expect(reopened.influxOutbox.peek(1)[0]!.line).toBe('alerts,host=a state="firing" 1');
    reopened.close();
  });

  it('rolls back with the transition it belongs to', () => {
    const store = openStore(':memory:');
    expect(() =>
      store.transaction(() => {
        store.influxOutbox.append(['x v=1 1']);
        throw new Error('the transition failed');
      }),
    ).toThrow('the transition failed');
    expect(store.influxOutbox.peek(10)).toEqual([]);
    store.close();
  });
});
