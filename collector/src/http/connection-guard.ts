// http/ owns what stands between a connection and a route, for the API and the agent upgrade alike: this guard, the
// per-IP rate limit, the token buckets it and the per-agent frame limits count with, the request log, and the PROXY
// protocol header a balancer may put before it all (proxy-protocol.ts, proxy-listener.ts).
//
// A bound on unauthenticated connections per source IP. Every accepted connection counts against its IP until it
// either closes or completes an authenticated agent upgrade (an agent's long-lived WebSocket must not use up
// its site's allowance: many agents of one client share one NAT address). The count covers what rate limits
// cannot: connections that stay open without finishing a request (slow headers, a stalled TLS handshake, an
// idle keep-alive), each of which the headers/request/keep-alive timeouts cut later but which would otherwise
// pile up until then.
//
// Node's headers timeout starts with a request's first byte, so a connection that never sends one would stay open
// for good: the guard closes it after firstRequestTimeoutMs. A connection that sent anything is left to Node's
// timeouts (headersTimeout answers a slow client with 408), so the two never race.
import type { Socket } from 'node:net';
import type { Server } from 'node:http';

export interface ConnectionGuard {
  /** The connection's owner authenticated as an agent: it no longer counts against its IP. Idempotent. */
  release(socket: Socket): void;
  /** Unauthenticated connections currently open from `ip`. */
  pending(ip: string): number;
}

export interface ConnectionGuardOptions {
  maxPendingPerIp: number;
  /** How long a new connection may stay open without sending a byte (0: no bound). */
  firstRequestTimeoutMs: number;
  /** Called for each connection cut because its IP had too many; the socket is already destroyed. */
  onRefused(ip: string): void;
  /** Called for each connection closed for sending nothing within firstRequestTimeoutMs; already destroyed. */
  onIdle(ip: string): void;
}

/**
 * Watches `event` on `server`: 'connection' for plain HTTP, 'secureConnection' for HTTPS, so that the socket
 * counted is the one requests later arrive on (for TLS, a handshake that never completes is bounded by the
 * server's handshakeTimeout instead).
 */
export function guardConnections(server: Server, event: 'connection' | 'secureConnection', options: ConnectionGuardOptions): ConnectionGuard {
  const counts = new Map<string, number>();
  const counted = new WeakMap<Socket, string>();
  const uncount = (socket: Socket) => {
    const ip = counted.get(socket);
    if (ip === undefined) return;
    counted.delete(socket);
    const left = (counts.get(ip) ?? 1) - 1;
    if (left > 0) counts.set(ip, left);
    else counts.delete(ip);
  };
  server.on(event, (socket: Socket) => {
    const ip = socket.remoteAddress ?? 'unknown';
    const open = counts.get(ip) ?? 0;
    if (open >= options.maxPendingPerIp) {
      socket.destroy();
      options.onRefused(ip);
      return;
    }
    counts.set(ip, open + 1);
    counted.set(socket, ip);
    const idle = options.firstRequestTimeoutMs > 0 ? setTimeout(() => closeIfSilent(socket, ip), options.firstRequestTimeoutMs) : undefined;
    socket.once('close', () => {
      clearTimeout(idle);
      uncount(socket);
    });
  });
  // bytesRead counts what reached the socket, including what Node's HTTP parser consumes natively (for TLS, the
  // decrypted bytes after the handshake).
  const closeIfSilent = (socket: Socket, ip: string) => {
    if (socket.bytesRead > 0 || socket.destroyed) return;
    socket.destroy();
    options.onIdle(ip);
  };
  return { release: uncount, pending: (ip) => counts.get(ip) ?? 0 };
}
