// A TLS-terminating proxy on a loopback port in front of a real collector (the deployment the README describes for
// a collector without TLS of its own): it decrypts with the certificate a test chooses and pipes the bytes, HTTP
// and WebSocket alike, to the collector's plain port. useCert() swaps the certificate for new connections and
// dropConnections() cuts the open ones, as a collector restarting with a rotated certificate would.
import { connect, type Socket } from 'node:net';
import { createServer, type TLSSocket } from 'node:tls';
import type { TestCert } from './certs.js';

export interface TlsProxy {
  port: number;
  /** https://127.0.0.1:PORT */
  baseUrl: string;
  useCert(cert: TestCert): void;
  /** Cuts every open connection (as a collector restarting with a new certificate would). */
  dropConnections(): void;
  close(): Promise<void>;
}

export async function startTlsProxy(targetPort: number, cert: TestCert): Promise<TlsProxy> {
  const sockets = new Set<Socket | TLSSocket>();
  const track = (socket: Socket | TLSSocket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy()); // the other side is torn down through 'close' below
  };
  const server = createServer({ key: cert.key, cert: cert.cert }, (client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    track(client);
    track(upstream);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  server.on('tlsClientError', () => undefined); // a client refusing our certificate is what some tests want
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    baseUrl: `https://127.0.0.1:${port}`,
    useCert: (next) => server.setSecureContext({ key: next.key, cert: next.cert }),
    dropConnections: () => {
      for (const socket of sockets) socket.destroy();
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
