// Sockets of the test's own for the netstat tests: a listener and one connection on each of 127.0.0.1 and ::1 (so
// both tcp and tcp6 hold at least two listeners and four established ends), and a UDP socket on each.
import { createSocket } from 'node:dgram';
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface LoopbackSockets {
  close(): void;
}

export async function openLoopbackSockets(): Promise<LoopbackSockets> {
  const servers: Server[] = [];
  const sockets: Socket[] = [];
  const udp = [createSocket('udp4'), createSocket('udp6')];
  for (const host of ['127.0.0.1', '::1']) {
    const server = createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    servers.push(server);
    const port = (server.address() as { port: number }).port;
    sockets.push(
      await new Promise<Socket>((resolve) =>
        connect(port, host, function (this: Socket) {
          resolve(this);
        }),
      ),
    );
  }
  await new Promise<void>((resolve) => udp[0]!.bind(0, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => udp[1]!.bind(0, '::1', resolve));
  return {
    close() {
      for (const s of sockets) s.destroy();
      for (const s of servers) s.close();
      for (const s of udp) s.close();
    },
  };
}
