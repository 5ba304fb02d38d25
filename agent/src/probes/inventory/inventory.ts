// probes/inventory/: this probe, the OS identity parsers (os-identity.ts: registry, os-release, sw_vers) and the
// choice of the host's addresses (addresses.ts).
//
// inventory: what the machine is (OS, hardware, addresses, agent version), one `inventory` sample per run.
// systeminformation's osInfo/system/cpu are asked once per probe instance and cached: on Windows they start
// several PowerShell processes each, and none of it changes without a reboot. Addresses and memory are read
// from `os` on every run because they do change (DHCP, VPN, hot-added RAM on VMs), and so is the OS identity
// (os_family plus Windows build/UBR/edition/product type, Linux os-release, macOS sw_vers): it changes with patches.
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import si from 'systeminformation';
import { int, type FieldValue } from '../../sample.js';
import { AGENT_VERSION } from '../../version.js';
import type { Probe, ProbeContext } from '../probe.js';
import { hostAddresses } from './addresses.js';
import { parseOsRelease, parseRegQuery, parseSwVers, windowsIdentity } from './os-identity.js';

const DEFAULT_SCHEDULE = '0 0 */12 * * *'; // twice a day: hardware and OS identity change rarely
const OS_RELEASE_PATHS = ['/etc/os-release', '/usr/lib/os-release'];
const CURRENT_VERSION_KEY = 'HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion';
const PRODUCT_OPTIONS_KEY = 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\ProductOptions';

export interface InventoryProbeOptions {
  platform?: NodeJS.Platform;
  osReleasePaths?: readonly string[];
}

type IdentityReader = (ctx: ProbeContext) => Promise<Record<string, FieldValue>>;

/** Fields that override or extend the systeminformation ones; each platform's own source of truth. */
const identityReaders: Partial<Record<NodeJS.Platform, (o: InventoryProbeOptions) => IdentityReader>> = {
  linux: (o) => async (): Promise<Record<string, FieldValue>> => {
    for (const path of o.osReleasePaths ?? OS_RELEASE_PATHS) {
      const text = await readFile(path, 'utf8').catch(() => undefined);
      if (text === undefined) continue;
      const r = parseOsRelease(text);
      return { os_family: 'linux', os_id: r.ID ?? '', os_version_id: r.VERSION_ID ?? '', os_codename: r.VERSION_CODENAME ?? '' };
    }
    return { os_family: 'linux' };
  },
  win32: () => async (ctx) => {
    const [cv, po] = await Promise.all([
      ctx.runner('reg.exe', ['query', CURRENT_VERSION_KEY], { signal: ctx.signal }),
      ctx.runner('reg.exe', ['query', PRODUCT_OPTIONS_KEY, '/v', 'ProductType'], { signal: ctx.signal }).catch(() => ({ stdout: '' })),
    ]);
    const values = parseRegQuery(cv.stdout);
    if (!values.has('CurrentBuild') && !values.has('CurrentBuildNumber')) throw new Error(`inventory: unexpected reg query output: ${cv.stdout.slice(0, 200)}`);
    const { os_ubr, ...id } = windowsIdentity(values, parseRegQuery(po.stdout).get('ProductType'));
    return { os_family: 'windows', ...id, ...(os_ubr !== undefined ? { os_ubr: int(os_ubr) } : {}) };
  },
  darwin: () => async (ctx) => {
    const v = parseSwVers((await ctx.runner('sw_vers', [], { signal: ctx.signal })).stdout);
    if (!v.ProductVersion) throw new Error('inventory: sw_vers printed no ProductVersion');
    return { os_family: 'macos', os_version: v.ProductVersion, os_build: v.BuildVersion ?? '' };
  },
};

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

export function createInventoryProbe(options: InventoryProbeOptions = {}): Probe {
  const identity: IdentityReader = identityReaders[options.platform ?? process.platform]?.(options) ?? (async () => ({}));
  let facts: Promise<StaticFacts> | undefined;
  const load = (): Promise<StaticFacts> => Promise.all([si.osInfo(), si.system(), si.cpu()]).then(([osData, system, cpu]) => ({ os: osData, system, cpu }));
  return {
    name: 'inventory',
    schedule: DEFAULT_SCHEDULE,
    async collect(ctx) {
      facts ??= load();
      try {
        return [{ measurement: 'inventory', fields: { ...inventoryFields(await facts), ...(await identity(ctx)) } }];
      } catch (error) {
        facts = undefined; // a failed lookup is retried next run rather than cached
        throw error;
      }
    },
  };
}
