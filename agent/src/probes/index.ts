// THE registry of probes. Adding a probe = one folder NAME/ with NAME.ts (its parsers beside it, and README.md: its
// measurements, tags and fields, see docs/measurements.md) + one line here; the key is the probe's name, its folder
// and file name, its config key and its log prefix (test/agent/probes/registry.test.ts checks that they agree). Code
// several probes share lives in common/.
import type { ProbeFactory } from './probe.js';
import { createActivationProbe } from './activation/activation.js';
import { createAntivirusProbe } from './antivirus/antivirus.js';
import { createBackupProbe } from './backup/backup.js';
import { createCpuProbe } from './cpu/cpu.js';
import { createDiskProbe } from './disk/disk.js';
import { createDiskioProbe } from './diskio/diskio.js';
import { createEventlogProbe } from './eventlog/eventlog.js';
import { createInventoryProbe } from './inventory/inventory.js';
import { createKernelProbe } from './kernel/kernel.js';
import { createMemProbe } from './mem/mem.js';
import { createNetProbe } from './net/net.js';
import { createNetstatProbe } from './netstat/netstat.js';
import { createPasswordPolicyProbe } from './password_policy/password_policy.js';
import { createPatchesProbe } from './patches/patches.js';
import { createProcessesProbe } from './processes/processes.js';
import { createRaidProbe } from './raid/raid.js';
import { createRemoteAccessProbe } from './remote_access/remote_access.js';
import { createServicesProbe } from './services/services.js';
import { createShutdownsProbe } from './shutdowns/shutdowns.js';
import { createSwapProbe } from './swap/swap.js';
import { createSystemProbe } from './system/system.js';
import { createUpsProbe } from './ups/ups.js';

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
  processes: createProcessesProbe,
  kernel: createKernelProbe,
  netstat: createNetstatProbe,
  diskio: createDiskioProbe,
  swap: createSwapProbe,
  raid: createRaidProbe,
  ups: createUpsProbe,
  backup: createBackupProbe,
  password_policy: createPasswordPolicyProbe,
  remote_access: createRemoteAccessProbe,
  activation: createActivationProbe,
} satisfies Record<string, ProbeFactory>;

export type ProbeName = keyof typeof probes;
