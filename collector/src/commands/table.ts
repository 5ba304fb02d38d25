// Plain-text tables, JSON and times for the listing commands.

/** A time as the tables show it: ISO 8601 UTC to the second; '-' for none (null, as in routes/iso.ts: 0 is a time). */
export const isoTime = (ms: number | null | undefined): string => (ms == null ? '-' : new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z'));

/** Writes a value as indented JSON on stdout (a listing command's --json). */
export const printJson = (value: unknown): void => {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
};

/** Writes rows (the first is the header) as space-aligned columns on stdout. */
export function printTable(rows: string[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  for (const r of rows)
    process.stdout.write(
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd() + '\n',
    );
}
