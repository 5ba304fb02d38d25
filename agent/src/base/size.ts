// Sizes as users type them (`--spool-max-size 256MiB`, WATCHPOST_SPOOL_MAX_BYTES=1GiB). KiB/MiB/GiB/TiB are
// powers of 1024, KB/MB/GB/TB powers of 1000 (as on the labels of disks), a bare number is bytes. One-letter
// units (256M) are refused: whether they mean 1000 or 1024 differs between tools.
const UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};
const SIZE = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i;

/** Parses a size into whole bytes; throws an Error naming the text and the expected form. */
export function parseSize(text: string): number {
  const m = SIZE.exec(text.trim());
  const factor = m ? UNITS[(m[2] || 'b').toLowerCase()] : undefined;
  const bytes = m && factor ? Math.floor(Number(m[1]) * factor) : NaN;
  if (!Number.isSafeInteger(bytes)) {
    throw new Error(`invalid size ${JSON.stringify(text)} (expected a number of bytes or a number with a unit: 64MiB, 1GiB, 500MB)`);
  }
  return bytes;
}
