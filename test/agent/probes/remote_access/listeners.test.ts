// Listening ports: this machine's real /proc/net/tcp and tcp6 with listeners the test opens (and closes), the captured
// /proc snapshot, and macOS `netstat -an` captures: Sequoia with Remote Login on (*.22 LISTEN on tcp4 and tcp6), a
// Yosemite-era Mac without it (test/fixtures/darwin/netstat/).
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { netstatListeningPorts, procListeningPorts } from '../../../../agent/src/probes/remote_access/listeners.js';
import { fixture, FIXTURES } from '../fixtures.js';

const listen = (host: string) =>
  new Promise<Server>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => resolve(server));
  });
const portOf = (server: Server) => (server.address() as { port: number }).port;
const live = () => new Set([...procListeningPorts(readFileSync('/proc/net/tcp', 'utf8')), ...procListeningPorts(readFileSync('/proc/net/tcp6', 'utf8'))]);

describe('/proc/net/tcp and tcp6', () => {
  let v4: Server;
  let v6: Server;
  beforeAll(async () => {
    v4 = await listen('127.0.0.1');
    v6 = await listen('::1');
  });
  afterAll(() => {
    v6.close();
  });

  it("this machine's listeners on IPv4 and IPv6 are found; a closed one is gone", async () => {
    const [p4, p6] = [portOf(v4), portOf(v6)];
    expect(procListeningPorts(readFileSync('/proc/net/tcp', 'utf8')).has(p4)).toBe(true);
    expect(procListeningPorts(readFileSync('/proc/net/tcp6', 'utf8')).has(p6)).toBe(true);
    await new Promise<void>((resolve) => v4.close(() => resolve()));
    expect(live().has(p4)).toBe(false);
  });

  it('the captured snapshot: only LISTEN rows (its established and TIME_WAIT sockets do not count)', () => {
    const text = readFileSync(`${FIXTURES}linux/proc-snapshot/net/tcp`, 'utf8');
    const listening = procListeningPorts(text);
    const rows = text
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.trim().split(/\s+/));
    const byState = (state: string) => new Set(rows.filter((r) => r[3] === state).map((r) => parseInt(r[1]!.split(':')[1]!, 16)));
    expect([...listening].sort()).toEqual([...byState('0A')].sort());
    expect(listening.size).toBeGreaterThan(0);
    expect([...byState('01')].some((p) => !listening.has(p))).toBe(true);
  });
});

describe('macOS netstat -an', () => {
  it('Sequoia with Remote Login on: 22 among the listeners; established connections are not listeners', () => {
    const ports = netstatListeningPorts(fixture('darwin/netstat/netstat-atn-sequoia-15.0.1.txt'));
    expect(ports.has(22)).toBe(true);
    expect([...ports].sort((a, b) => a - b)).toEqual([22, 5000, 6463, 7000, 9000, 49657]);
  });

  it('a Mac without Remote Login: no 22; tcp4, tcp6 and tcp46 rows all read', () => {
    const ports = netstatListeningPorts(fixture('darwin/netstat/netstat-an-excerpt-yosemite-era.txt'));
    expect(ports.has(22)).toBe(false);
    expect([...ports].sort((a, b) => a - b)).toEqual([21, 80, 631, 4000]);
  });
});
