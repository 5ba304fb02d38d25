// A full state store does not take the collector down: the data directory sits on a tiny tmpfs (root only, as in
// CI) filled until SQLite answers SQLITE_FULL. Agents connect, write and disconnect while it is full: their points
// are still written and acked, every failed store call is logged and counted; once space is freed the next
// touch and the next record at disconnect are stored.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingSink, startCollector, type TestCollector } from '../../helpers/collector.js';
import { cpuBatch, hello, openAgent } from '../../helpers/agent-client.js';
import { until } from '../../helpers/until.js';

const canMount = process.platform === 'linux' && process.getuid?.() === 0;
if (!canMount) console.warn('agent-socket-store-full.test.ts: not root, so the full-filesystem (tmpfs) test is skipped');

/** Writes 64 KiB blocks, then single bytes, into `file` until the filesystem refuses (ENOSPC). */
function fill(file: string): void {
  const fd = openSync(file, 'a');
  try {
    for (const size of [64 * 1024, 1]) {
      const block = Buffer.alloc(size, 0x61);
      for (;;) {
        try {
          writeSync(fd, block);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw error;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
}

describe.runIf(canMount)('SQLite full under a running collector (256 KiB of room on a tmpfs)', () => {
  const sink = new RecordingSink();
  const logs = new PassThrough();
  const logged: { msg: string; operation?: string; agentId?: string }[] = [];
  logs.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) logged.push(JSON.parse(line));
  });
  let mountpoint = '';
  let mounted = false;
  let c: TestCollector;

  beforeAll(async () => {
    mountpoint = mkdtempSync(join(tmpdir(), 'wp-store-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mountpoint]);
    mounted = true;
    c = await startCollector({ sink, logStream: logs, dataDir: mountpoint });
  });
  afterAll(async () => {
    await c?.close();
    if (mounted) execFileSync('umount', [mountpoint]);
    rmSync(mountpoint, { recursive: true, force: true });
  });

  const storeErrors = async (operation: string): Promise<number> =>
    (await c.metrics.storeErrors.get()).values.find((v) => v.labels.operation === operation)?.value ?? 0;

  it('keeps ingesting while SQLite is full, counts each failed store call, and stores again once space returns', async () => {
    const a = c.enroll();
    const b = c.enroll();
    // Full: no byte left on the filesystem, and SQLite itself has met it (its WAL could not grow).
    const filler = join(mountpoint, 'filler');
    fill(filler);
    let sqliteFull = '';
    for (let i = 0; i < 10_000 && !sqliteFull; i++) {
      try {
        c.store.tenants.add({ id: `pad-${i}`, name: 'x'.repeat(190) });
      } catch (error) {
        sqliteFull = (error as { code?: string }).code ?? String(error);
      }
    }
    expect(sqliteFull).toBe('SQLITE_FULL');

    // Agents come and go while it is full: Hello (touch), a batch, disconnect (persist).
    for (const [i, agentCred] of [a, b].entries()) {
      const agent = await openAgent(c.wsUrl, agentCred.credential);
      agent.send({ hello: { ...hello().hello!, hostname: agentCred.hostname } });
      await agent.next((e) => e.msg === 'welcome');
      agent.send(cpuBatch(i + 1));
      expect((await agent.next((e) => e.msg === 'ack')).ack!.seq).toBe(i + 1);
      agent.socket.close();
      await agent.closed;
      await until(() => !c.hub.sessions.has(agentCred.agentId), 5_000, 'the session to end');
    }
    expect(sink.lines.flat().filter((l) => l.startsWith('cpu,'))).toHaveLength(2);

    // An inventory while full: its OS identity cannot be remembered, but its os_support point is still derived
    // and written with the batch.
    const inventory = await openAgent(c.wsUrl, b.credential);
    inventory.send({ hello: { ...hello().hello!, hostname: b.hostname } });
    await inventory.next((e) => e.msg === 'welcome');
    const fields = [
      { key: 'os_family', str: 'windows' },
      { key: 'os_name', str: 'Windows 10 Pro' },
      { key: 'os_version', str: '10.0.19045' },
    ];
    inventory.send({ batch: { seq: 3, samples: [{ measurement: 'inventory', timeMs: Date.now(), fields }] } });
    await inventory.next((e) => e.ack?.seq === 3);
    inventory.socket.close();
    await until(() => !c.hub.sessions.has(b.agentId), 5_000, 'the session to end');
    expect(sink.lines.flat().filter((l) => l.startsWith('os_support,'))).toHaveLength(1);
    expect(await storeErrors('os_identity')).toBe(1);
    expect(await storeErrors('touch')).toBe(3);
    expect(await storeErrors('persist')).toBe(3);
    // The connection history's session cannot open either; its close then finds none to end (no write, no error).
    expect(await storeErrors('session')).toBe(3);
    expect(logged.filter((l) => l.msg === 'state store call failed; carrying on without it').map((l) => l.operation)).toEqual([
      'touch',
      'session',
      'persist',
      'touch',
      'session',
      'persist',
      'touch',
      'session',
      'os_identity',
      'persist',
    ]);
    expect(c.store.agents.get(a.agentId)).toMatchObject({ lastSeenAt: null, lastAckedSeq: 0 });
    const metrics = await (await fetch(`${c.baseUrl}/metrics`)).text();
    expect(metrics).toContain('watchpost_store_errors_total{operation="touch"} 3');
    expect((await fetch(`${c.baseUrl}/healthz`)).status).toBe(200);

    // Space returns: the next Hello's touch and the next disconnect's record are stored.
    rmSync(filler);
    const agent = await openAgent(c.wsUrl, a.credential);
    agent.send({ hello: { ...hello().hello!, hostname: a.hostname } });
    await agent.next((e) => e.msg === 'welcome');
    expect(c.store.agents.get(a.agentId)?.lastSeenAt).not.toBeNull();
    agent.send(cpuBatch(7));
    await agent.next((e) => e.ack?.seq === 7);
    agent.socket.close();
    await until(() => c.store.agents.get(a.agentId)?.lastAckedSeq === 7, 5_000, 'the disconnect to be recorded');
    expect(await storeErrors('touch')).toBe(3);
    expect(await storeErrors('persist')).toBe(3);
    // Only the connection that had room is in the history, whole.
    await until(() => c.store.sessions.overlapping(a.agentId, 0, Date.now() + 1).length === 1, 5_000, 'the session to end');
    expect(c.store.sessions.overlapping(a.agentId, 0, Date.now() + 1).map((x) => x.end)).toEqual(['disconnect']);
    expect(await storeErrors('session')).toBe(3);
  }, 60_000);
});
