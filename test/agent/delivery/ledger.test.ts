import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { escapeToken, formatDropLine, formatPointLines, formatTags, openLedger, parseLedgerLine } from '../../../agent/src/delivery/ledger.js';
import { int, type Sample } from '../../../agent/src/sample.js';
import { recordingLogger } from '../helpers/recording-log.js';

const sample = (measurement: string, tags: Record<string, string>, time = 1_700_000_000_123): Sample => ({ measurement, tags, fields: { v: int(1) }, time });

describe('ledger lines', () => {
  it.each([
    [{ cpu: 'cpu0', host: 'h', tenant: 't' }, 'cpu=cpu0'],
    [{ path: '/', fstype: 'ext4', device: 'sda1', mode: 'rw', host: 'h' }, 'device=sda1,fstype=ext4,mode=rw,path=/'],
    [{ host: 'h', tenant: 't' }, '-'],
    [{}, '-'],
    [{ path: '/mnt/My Disk,2', interface: 'a=b' }, 'interface=a\\=b,path=/mnt/My\\ Disk\\,2'],
    [{ 'odd key': 'back\\slash\nnewline' }, 'odd\\ key=back\\\\slash\\nnewline'],
  ])('tags %j are written %s (sorted, without host and tenant, escaped)', (tags, text) => {
    expect(formatTags(tags)).toBe(text);
  });

  it('writes one + line per point with the batch seq, measurement and time in ms', () => {
    const text = formatPointLines(42, [sample('cpu', { cpu: 'cpu-total', host: 'h', tenant: 't' }), sample('mem', { host: 'h' }, 5)]);
    expect(text).toBe('+ 42 cpu 1700000000123 cpu=cpu-total\n+ 42 mem 5 -\n');
  });

  it('writes drop lines, with ? for damaged batches whose seq is unknown', () => {
    expect(formatDropLine(7, 31, 'disk_full')).toBe('- 7 31 disk_full\n');
    expect(formatDropLine(null, 12, 'corrupt')).toBe('- ? 12 corrupt\n');
  });

  it.each([[{ path: '/mnt/My Disk,2', interface: 'a=b' }], [{ 'odd key': 'back\\slash\nnew\rline =,' }], [{ cpu: 'cpu0' }], [{}]])(
    'parses back what it wrote: %j',
    (tags) => {
      const line = formatPointLines(3, [sample('my measurement', { ...tags, host: 'h' })]).trimEnd();
      expect(parseLedgerLine(line)).toEqual({ kind: 'point', seq: 3, measurement: 'my measurement', time: 1_700_000_000_123, tags });
    },
  );

  it('parses drop, start and stop lines', () => {
    expect(parseLedgerLine('- 9 4 full')).toEqual({ kind: 'drop', seq: 9, points: 4, reason: 'full' });
    expect(parseLedgerLine('- ? 4 corrupt')).toEqual({ kind: 'drop', seq: null, points: 4, reason: 'corrupt' });
    expect(parseLedgerLine('# start 2026-01-01T00:00:00.000Z agent=a1 version=0.1.0 pid=12')).toEqual({
      kind: 'start',
      at: '2026-01-01T00:00:00.000Z',
      fields: { agent: 'a1', version: '0.1.0', pid: '12' },
    });
    expect(parseLedgerLine('# stop 2026-01-01T00:00:01.000Z')).toEqual({ kind: 'stop', at: '2026-01-01T00:00:01.000Z' });
  });

  it.each(['', '+ 1 cpu', '+ x cpu 5 -', '- 1 2 lost', '- 1 two full', '+ 1 cpu 5 a', '# hello'])('refuses %j', (line) => {
    expect(() => parseLedgerLine(line)).toThrow(/cannot parse line/);
  });

  it('escapes exactly the separators, backslash and line breaks', () => {
    expect(escapeToken('a b,c=d\\e\nf\rg')).toBe('a\\ b\\,c\\=d\\\\e\\nf\\rg');
    expect(escapeToken('plain-text_1.2/x')).toBe('plain-text_1.2/x');
  });
});

describe('openLedger', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('appends across opens (mode 0600): start line, points, drops, stop line', () => {
    dir = mkdtempSync(join(tmpdir(), 'wp-ledger-'));
    const file = join(dir, 'ledger');
    const log = recordingLogger();
    for (const seq of [1, 2]) {
      const ledger = openLedger(file, { agentId: 'agent-1', version: '1.2.3' }, log);
      ledger.appended(seq, [sample('mem', {})]);
      ledger.dropped(seq, 1, 'full');
      ledger.close();
      ledger.close();
    }
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n').map(parseLedgerLine);
    expect(lines.map((l) => l.kind)).toEqual(['start', 'point', 'drop', 'stop', 'start', 'point', 'drop', 'stop']);
    expect(lines[0]).toMatchObject({ fields: { agent: 'agent-1', version: '1.2.3', pid: String(process.pid) } });
    expect(lines[5]).toMatchObject({ kind: 'point', seq: 2 });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(log.lines).toEqual([]);
  });

  it('says which file it cannot open', () => {
    dir = mkdtempSync(join(tmpdir(), 'wp-ledger-'));
    expect(() => openLedger(join(dir, 'missing', 'ledger'), { agentId: 'a', version: 'v' }, recordingLogger())).toThrow(
      /cannot open the ledger .*missing\/ledger: ENOENT/,
    );
  });

  it.runIf(process.platform === 'linux')('a failing write (/dev/full) is logged once and never throws', () => {
    const log = recordingLogger();
    const ledger = openLedger('/dev/full', { agentId: 'a', version: 'v' }, log);
    ledger.appended(1, [sample('mem', {})]);
    ledger.dropped(1, 1, 'full');
    ledger.close();
    expect(log.count(/ledger: write failed/)).toBe(1);
  });
});
