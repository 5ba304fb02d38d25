// inventory: what the machine is (OS, hardware, addresses, agent version), one `inventory` sample per run.
// systeminformation's osInfo/system/cpu are asked once per probe instance and cached: on Windows they start
// several PowerShell processes each, and none of it changes without a reboot. Addresses and memory are read
// from `os` on every run because they do change (DHCP, VPN, hot-added RAM on VMs).
import os from 'node:os';
import si from 'systeminformation';
import { int, type FieldValue } from '../sample.js';
import { AGENT_VERSION } from '../version.js';
import type { Probe } from './probe.js';
import { hostAddresses } from './parse/addresses.js';

const DEFAULT_SCHEDULE = '0 0 * * * *'; // hourly, on the hour

interface StaticFacts {
  os: si.Systeminformation.OsData;
  system: si.Systeminformation.SystemData;
  cpu: si.Systeminformation.CpuData;
}

/** systeminformation fills unknown values with '-' or 'Default string' on some firmware: report them as ''. */
function clean(value: string | undefined): string {
  const v = (value ?? '').trim();
  return v === '-' || v.toLowerCase() === 'default string' ? '' : v;
}

function inventoryFields(facts: StaticFacts): Record<string, FieldValue> {
  const { ips, macs } = hostAddresses(os.networkInterfaces());
  return {
    hostname: os.hostname(),
    os_name: clean(facts.os.distro),
    os_version: clean(facts.os.release),
    os_build: clean(facts.os.build),
    kernel: clean(facts.os.kernel) || os.release(),
    arch: os.arch(),
    cpu_model: [clean(facts.cpu.manufacturer), clean(facts.cpu.brand)].filter(Boolean).join(' '),
    cpu_cores: int(facts.cpu.physicalCores),
    cpu_threads: int(facts.cpu.cores),
    memory_total_bytes: int(os.totalmem()),
    manufacturer: clean(facts.system.manufacturer),
    model: clean(facts.system.model),
    serial: clean(facts.system.serial),
    ip_addresses: ips.join(','),
    mac_addresses: macs.join(','),
    agent_version: AGENT_VERSION,
  };
}

export function createInventoryProbe(): Probe {
  let facts: Promise<StaticFacts> | undefined;
  const load = (): Promise<StaticFacts> =>
    Promise.all([si.osInfo(), si.system(), si.cpu()]).then(([osData, system, cpu]) => ({ os: osData, system, cpu }));
  return {
    name: 'inventory',
    schedule: DEFAULT_SCHEDULE,
    async collect() {
      facts ??= load();
      try {
        return [{ measurement: 'inventory', fields: inventoryFields(await facts) }];
      } catch (error) {
        facts = undefined; // a failed lookup is retried next run rather than cached
        throw error;
      }
    },
  };
}
