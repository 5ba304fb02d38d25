import { describe, expect, it } from 'vitest';
import type { AlertKey } from '../../../collector/src/alerting/contract.js';
import { open, tempDbPath, T0 } from './helpers.js';

const key = (instance: string, agentId = 'ag_1', host = 'sql01'): AlertKey => ({ ruleId: 'disk-full', tenant: 'acme', agentId, host, instance });

describe('alert states', () => {
  it('stores opaque JSON per key, replaces it, deletes it, and keeps it across a reopen', () => {
    const file = tempDbPath();
    const store = open(file);
    store.alertStates.put(key('C:'), { status: 'pending', since: T0, level: 'warning' }, T0);
    store.alertStates.put(key('D:'), { status: 'firing' }, T0 + 1);
    store.alertStates.put(key('C:'), { status: 'firing', since: T0 }, T0 + 2);
    store.alertStates.put(key('/', 'ag_2', 'web01'), ['any', 'json', 1], T0 + 3);
    expect(store.alertStates.get(key('C:'))).toEqual({ key: key('C:'), state: { status: 'firing', since: T0 }, updatedAt: T0 + 2 });
    expect(store.alertStates.get(key('E:'))).toBeNull();
    expect(store.alertStates.forAgent('acme', 'ag_1').map((s) => s.key.instance)).toEqual(['C:', 'D:']);
    store.alertStates.delete(key('D:'));
    store.alertStates.delete(key('D:'));
    store.close();
    const again = open(file);
    expect(again.alertStates.all()).toEqual([
      { key: key('C:'), state: { status: 'firing', since: T0 }, updatedAt: T0 + 2 },
      { key: key('/', 'ag_2', 'web01'), state: ['any', 'json', 1], updatedAt: T0 + 3 },
    ]);
  });

  it('keeps instances with the empty name apart from the keys around them', () => {
    const store = open(tempDbPath());
    store.alertStates.put(key(''), 1, T0);
    store.alertStates.put({ ...key(''), ruleId: 'cpu' }, 2, T0);
    expect(store.alertStates.all().map((s) => [s.key.ruleId, s.state])).toEqual([
      ['cpu', 2],
      ['disk-full', 1],
    ]);
  });

  it('keys on the agent: the host is only the name it is shown under, and a rename moves all of its states', () => {
    const store = open(tempDbPath());
    store.alertStates.put(key('C:'), 'a1', T0);
    store.alertStates.put(key('D:'), 'a1 D', T0);
    store.alertStates.put(key('C:', 'ag_2'), 'a2', T0); // another agent that said the same name
    store.alertStates.put(key('C:', 'ag_1', 'sql01-new'), 'a1 again', T0 + 1); // same agent, new name: same state
    expect(store.alertStates.get(key('C:', 'ag_1', 'anything'))).toMatchObject({ state: 'a1 again', key: { host: 'sql01-new' } });
    expect(store.alertStates.get(key('C:', 'ag_2'))?.state).toBe('a2');
    store.alertStates.rename('acme', 'ag_1', 'sql01-new');
    expect(store.alertStates.forAgent('acme', 'ag_1').map((s) => [s.key.instance, s.key.host])).toEqual([
      ['C:', 'sql01-new'],
      ['D:', 'sql01-new'],
    ]);
    expect(store.alertStates.forAgent('acme', 'ag_2').map((s) => s.key.host)).toEqual(['sql01']);
    store.alertStates.delete(key('C:', 'ag_1', 'old-name-does-not-matter'));
    expect(store.alertStates.all().map((s) => [s.key.agentId, s.key.instance])).toEqual([
      ['ag_1', 'D:'],
      ['ag_2', 'C:'],
    ]);
  });
});
