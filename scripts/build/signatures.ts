// Code signatures of the official Node binaries, which injection invalidates. Node's SEA guide removes them
// before postject (`signtool remove /s`, `codesign --remove-signature`); neither tool runs here, so:
// - PE: the Authenticode certificate table is dropped in JS before injection, leaving a clean unsigned .exe that
//   signtool/osslsigncode can sign for a release (left in, LIEF moves it off the file's end: a stale, broken table).
// - Mach-O: postject (LIEF) itself drops LC_CODE_SIGNATURE while adding the NODE_SEA segment, so the output is
//   unsigned; `hasMachOCodeSignature` lets the build and tests check that rather than assume it.

const PE_OFFSET_FIELD = 0x3c;
const PE32_MAGIC = 0x10b;
const PE32_PLUS_MAGIC = 0x20b;
const SECURITY_DIRECTORY_INDEX = 4;

/** File offset of the security (certificate table) data directory entry of a PE image. Throws if not a PE. */
function securityDirectoryOffset(pe: Buffer): number {
  const peOffset = pe.readUInt32LE(PE_OFFSET_FIELD);
  if (pe.toString('latin1', peOffset, peOffset + 4) !== 'PE\0\0') throw new Error('not a PE image');
  const optionalHeader = peOffset + 24;
  const magic = pe.readUInt16LE(optionalHeader);
  const directories = optionalHeader + (magic === PE32_PLUS_MAGIC ? 112 : magic === PE32_MAGIC ? 96 : NaN);
  if (Number.isNaN(directories)) throw new Error(`unknown PE optional header magic 0x${magic.toString(16)}`);
  return directories + SECURITY_DIRECTORY_INDEX * 8;
}

/** The Authenticode certificate table's file offset and size; size 0 when unsigned. Pure. */
export function peCertificateTable(pe: Buffer): { offset: number; size: number } {
  const entry = securityDirectoryOffset(pe);
  return { offset: pe.readUInt32LE(entry), size: pe.readUInt32LE(entry + 4) };
}

/**
 * Returns the image without its Authenticode signature (the table sits at the end of the file, per the PE spec;
 * a table anywhere else is refused rather than guessed at). An unsigned image comes back unchanged.
 */
export function removePeSignature(pe: Buffer): Buffer {
  const { offset, size } = peCertificateTable(pe);
  if (size === 0) return pe;
  if (offset + size !== pe.length) throw new Error('PE certificate table is not at the end of the file');
  const out = Buffer.from(pe.subarray(0, offset));
  const entry = securityDirectoryOffset(out);
  out.writeUInt32LE(0, entry);
  out.writeUInt32LE(0, entry + 4);
  return out;
}

const MH_MAGIC_64 = 0xfeedfacf;
const LC_CODE_SIGNATURE = 0x1d;

/** Whether a thin 64-bit little-endian Mach-O has a code signature load command. Pure. */
export function hasMachOCodeSignature(macho: Buffer): boolean {
  if (macho.readUInt32LE(0) !== MH_MAGIC_64) throw new Error('not a thin 64-bit Mach-O');
  const ncmds = macho.readUInt32LE(16);
  let offset = 32; // sizeof(mach_header_64)
  for (let i = 0; i < ncmds; i++) {
    if (macho.readUInt32LE(offset) === LC_CODE_SIGNATURE) return true;
    offset += macho.readUInt32LE(offset + 4);
  }
  return false;
}
