import { describe, expect, it } from 'vitest';
import type { AlertKey } from '../../../collector/src/alerting/contract.js';
import { open, tempDbPath, T0 } from './helpers.js';

const key = (instance: string, host = 'sql01'): AlertKey => ({ ruleId: 'disk-full', tenant: 'acme', host, instance });

describe('alert states', () => {
  it('stores opaque JSON per key, replaces it, deletes it, and keeps it across a reopen', () => {
    const file = tempDbPath();
    const store = open(file);
    store.alertStates.put(key('C:'), { status: 'pending', since: T0, level: 'warning' }, T0);
    store.alertStates.put(key('D:'), { status: 'firing' }, T0 + 1);
    store.alertStates.put(key('C:'), { status: 'firing', since: T0 }, T0 + 2);
    store.alertStates.put(key('/', 'web01'), ['any', 'json', 1], T0 + 3);
    expect(store.alertStates.get(key('C:'))).toEqual({ key: key('C:'), state: { status: 'firing', since: T0 }, updatedAt: T0 + 2 });
    expect(store.alertStates.get(key('E:'))).toBeNull();
    expect(store.alertStates.forHost('acme', 'sql01').map((s) => s.key.instance)).toEqual(['C:', 'D:']);
    store.alertStates.delete(key('D:'));
    store.alertStates.delete(key('D:'));
    store.close();
    const again = open(file);
    expect(again.alertStates.all()).toEqual([
      { key: key('C:'), state: { status: 'firing', since: T0 }, updatedAt: T0 + 2 },
      { key: key('/', 'web01'), state: ['any', 'json', 1], updatedAt: T0 + 3 },
    ]);
  });

  it('keeps instances with the empty name apart from the keys around them', () => {
    const store = open(tempDbPath());
    store.alertStates.put(key(''), 1, T0);
    store.alertStates.put({ ...key(''), ruleId: 'cpu' }, 2, T0);
    expect(store.alertStates.all().map((s) => [s.key.ruleId, s.state])).toEqual([['cpu', 2], ['disk-full', 1]]);
  });
});
