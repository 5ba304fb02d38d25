// Whether a USB HID report descriptor (/sys/bus/hid/devices/<id>/report_descriptor) is a power device's: a top-level
// Application collection whose usage is on the Power Device usage page (0x84; "UPS" is its usage 0x04), which is what
// every USB UPS speaking the HID Power Device class declares first. Pure.
//
// HID 1.11, 6.2.2: each item is a prefix byte (bits 7-4 tag, 3-2 type, 1-0 size code: 0, 1, 2 or 4 data bytes) and
// its data, little-endian; 0xFE starts a long item (size in the next byte). Usage Page is global tag 0x0 (prefix
// 0x04-0x07), Usage local tag 0x0 (0x08-0x0B; a 4-byte usage carries its own page in the high half), Collection main
// tag 0xA (0xA0-0xA3, data 0x01 = Application), End Collection 0xC0.
export const POWER_DEVICE_PAGE = 0x84;

/** The (page, usage) of each top-level Application collection. */
export function applicationCollections(descriptor: Uint8Array): { page: number; usage: number }[] {
  const found: { page: number; usage: number }[] = [];
  let page = 0;
  let usage: { page: number; usage: number } | undefined;
  let depth = 0;
  for (let i = 0; i < descriptor.length;) {
    const prefix = descriptor[i]!;
    if (prefix === 0xfe) {
      i += 3 + (descriptor[i + 1] ?? 0);
      continue;
    }
    const size = [0, 1, 2, 4][prefix & 0x03]!;
    let data = 0;
    for (let b = 0; b < size; b++) data += (descriptor[i + 1 + b] ?? 0) * 2 ** (8 * b);
    const item = prefix & 0xfc;
    if (item === 0x04) page = data;
    else if (item === 0x08 && usage === undefined) usage = size === 4 ? { page: Math.floor(data / 0x10000), usage: data & 0xffff } : { page, usage: data };
    else if (item === 0xa0) {
      if (depth === 0 && data === 0x01 && usage) found.push(usage);
      depth++;
      usage = undefined;
    } else if (item === 0xc0) depth = Math.max(0, depth - 1);
    else if ((prefix & 0x0c) === 0x00) usage = undefined; // any other main item ends the local items
    i += 1 + size;
  }
  return found;
}

export const isPowerDevice = (descriptor: Uint8Array): boolean => applicationCollections(descriptor).some((c) => c.page === POWER_DEVICE_PAGE);
