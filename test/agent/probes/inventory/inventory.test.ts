import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { createInventoryProbe } from '../../../../agent/src/probes/inventory/inventory.js';
import { Int } from '../../../../agent/src/sample.js';
import { AGENT_VERSION } from '../../../../agent/src/version.js';
import { context } from '../fixtures.js';

describe('inventory probe', () => {
  it('describes this machine in one sample', async () => {
    const probe = createInventoryProbe();
    const drafts = await probe.collect(context());
    expect(drafts).toHaveLength(1);
    const f = drafts[0]!.fields;
    expect(drafts[0]?.measurement).toBe('inventory');
    expect(f.hostname).toBe(os.hostname());
    expect(f.arch).toBe(os.arch());
    expect(f.os_name).toMatch(/linux|debian/i);
    expect(f.kernel).toBe(os.release());
    expect(f.agent_version).toBe(AGENT_VERSION);
    expect((f.memory_total_bytes as Int).value).toBe(os.totalmem());
    expect((f.cpu_threads as Int).value).toBe(os.cpus().length);
    expect((f.cpu_cores as Int).value).toBeGreaterThan(0);
    expect(typeof f.cpu_model).toBe('string');
    for (const name of ['os_version', 'os_build', 'manufacturer', 'model', 'serial', 'ip_addresses', 'mac_addresses']) {
      expect(typeof f[name], name).toBe('string');
    }
    const firstExternal = Object.values(os.networkInterfaces())
      .flat()
      .find((i) => i && !i.internal && i.family === 'IPv4');
    if (firstExternal) expect(String(f.ip_addresses).split(',')).toContain(firstExternal.address);
    // A second run answers from the cached facts and agrees with the first.
    const [again] = await probe.collect(context());
    expect(again?.fields.os_name).toBe(f.os_name);
  });
});
