// THE registry of probes. Adding a probe = one file in this folder + one line here; the key is the probe's name,
// its config key and its log prefix (test/agent/probes/registry.test.ts checks that they agree).
import type { ProbeFactory } from './probe.js';
import { createAntivirusProbe } from './antivirus.js';
import { createCpuProbe } from './cpu.js';
import { createDiskProbe } from './disk.js';
import { createEventlogProbe } from './eventlog.js';
import { createInventoryProbe } from './inventory.js';
import { createMemProbe } from './mem.js';
import { createNetProbe } from './net.js';
import { createPatchesProbe } from './patches.js';
import { createServicesProbe } from './services.js';
import { createShutdownsProbe } from './shutdowns.js';
import { createSystemProbe } from './system.js';

export const probes = {
  cpu: createCpuProbe,
  mem: createMemProbe,
  disk: createDiskProbe,
  system: createSystemProbe,
  net: createNetProbe,
  inventory: createInventoryProbe,
  antivirus: createAntivirusProbe,
  eventlog: createEventlogProbe,
  patches: createPatchesProbe,
  services: createServicesProbe,
  shutdowns: createShutdownsProbe,
} satisfies Record<string, ProbeFactory>;

export type ProbeName = keyof typeof probes;
