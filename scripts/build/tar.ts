// Reads one regular file out of a tar archive in memory. Enough for npm tarballs (ustar, with optional pax
// headers); kept in-process so the build needs no `tar` executable and extracts only the file it wants.

const BLOCK = 512;

/** Returns the contents of the entry named `name` (e.g. `package/bin/node`), or undefined if absent. */
export function readTarEntry(tar: Buffer, name: string): Buffer | undefined {
  let offset = 0;
  let paxPath: string | undefined;
  while (offset + BLOCK <= tar.length) {
    const header = tar.subarray(offset, offset + BLOCK);
    if (header.every((byte) => byte === 0)) return undefined; // end-of-archive marker
    const size = parseOctal(header.subarray(124, 136));
    const type = String.fromCharCode(header[156] ?? 0);
    const dataStart = offset + BLOCK;
    const data = tar.subarray(dataStart, dataStart + size);
    if (type === 'x') {
      paxPath = parsePaxPath(data);
    } else {
      const entryName = paxPath ?? ustarName(header);
      paxPath = undefined;
      if ((type === '0' || type === '\0') && entryName === name) return data;
    }
    offset = dataStart + Math.ceil(size / BLOCK) * BLOCK;
  }
  return undefined;
}

function cString(bytes: Buffer): string {
  const end = bytes.indexOf(0);
  return bytes.subarray(0, end === -1 ? bytes.length : end).toString('utf8');
}

function parseOctal(bytes: Buffer): number {
  const text = cString(bytes).trim();
  return text === '' ? 0 : parseInt(text, 8);
}

function ustarName(header: Buffer): string {
  const name = cString(header.subarray(0, 100));
  const isUstar = cString(header.subarray(257, 263)).startsWith('ustar');
  const prefix = isUstar ? cString(header.subarray(345, 500)) : '';
  return prefix ? `${prefix}/${name}` : name;
}

/** pax records are `LEN key=value\n`; only `path` matters here. */
function parsePaxPath(data: Buffer): string | undefined {
  for (const line of data.toString('utf8').split('\n')) {
    const match = /^\d+ path=(.*)$/.exec(line);
    if (match) return match[1];
  }
  return undefined;
}
