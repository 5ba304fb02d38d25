// Pure selection of a host's addresses for the inventory from os.networkInterfaces() output.
import type { NetworkInterfaceInfo } from 'node:os';

const NULL_MAC = '00:00:00:00:00:00';

/** Non-internal IPv4 then IPv6 addresses and MAC addresses, each unique and in interface order. */
export function hostAddresses(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>): { ips: string[]; macs: string[] } {
  const external = Object.values(interfaces)
    .flatMap((list) => list ?? [])
    .filter((i) => !i.internal);
  const ips = [...external.filter((i) => i.family === 'IPv4'), ...external.filter((i) => i.family === 'IPv6')].map((i) => i.address);
  const macs = external.map((i) => i.mac.toLowerCase()).filter((m) => m !== NULL_MAC);
  return { ips: [...new Set(ips)], macs: [...new Set(macs)] };
}
