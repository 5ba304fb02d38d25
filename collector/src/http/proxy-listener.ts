// The PROXY protocol on the collector's listener (agents.proxyProtocol): each connection's header (proxy-protocol.ts)
// is read off the raw TCP socket before anything else sees the connection (Node's HTTP parser, or for TLS the
// handshake: HAProxy in TCP mode sends the header before the ClientHello), and the bytes after it go on unchanged.
//
// After the header, the connection looks as if the balancer were transparent:
//  - remoteAddress, remotePort and remoteFamily of the socket (for TLS, of the TLSSocket requests arrive on) are the
//    client's, so request.ip, the per-IP rate limit, the connection guard's per-IP count and every log line that
//    names an address see the client without knowing about the header;
//  - bytesRead of the raw socket leaves the header out, so the connection guard's "sent nothing yet" still means
//    "sent no request" (a client that stalls behind the balancer is cut after http.firstRequestTimeout).
// A LOCAL header (the balancer's own health check), a v1 UNKNOWN one, or a v2 one without a TCP address keeps the
// balancer's address.
//
// Decision: the address is set on the socket objects (own properties shadowing net.Socket's getters) rather than
// kept in a side table the guard, the limiter and the logs would each have to consult, because
//  1. every reader of an address, fastify's request.ip and @fastify/websocket included, already reads the socket, so
//     none can be missed, now or in code written later;
//  2. the connection events are intercepted at server.emit, the one call that hands a new connection to every
//     'connection' listener (Node's own and the guard, whenever they were added), so none sees a socket early.
// For TLS, requests arrive on a second object, the TLSSocket Node makes from the raw socket; it takes the raw socket's
// address when its handshake completes. The raw socket is found through the TLSSocket's `_parent`, the one private
// field used here: Node sets it for every server-side TLSSocket made from a net.Socket (_tls_wrap.js, since 0.11).
// Matching the two by the connection's four-tuple would need no private field, but a TLSSocket whose handshake fails
// or times out closes without its raw socket saying so, and such a table would leak. Should the field ever go, every
// TLS connection is refused with a log line, never given the balancer's address, and the TLS tests fail.
//
// A connection without a valid header within HEADER_TIMEOUT_MS (garbage, a direct client that sends a plain request,
// a header cut short) is destroyed at once and reported through onRefused; nothing of it reaches the server.
import { Socket, type Server } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { parseProxyHeader, type ProxyAddress, type ProxyHeaderResult } from './proxy-protocol.js';

/**
 * How long a new connection may take to send its header. A fixed bound rather than http.firstRequestTimeout (which
 * may be 0, "never"): a balancer writes the header the moment it connects, and the specification asks receivers to
 * wait at least 3 s so that one TCP retransmission still makes it.
 */
export const HEADER_TIMEOUT_MS = 5_000;

export interface ProxyListenerOptions {
  /** The server is a TLS (https) one: requests arrive on the TLSSocket of its 'secureConnection' event. */
  tls: boolean;
  /** Default HEADER_TIMEOUT_MS. */
  headerTimeoutMs?: number;
  /** A connection closed for its header; it is already destroyed. `peer` is the real peer: the balancer or a direct client. */
  onRefused(peer: { address: string; port: number }, reason: string): void;
}

export interface ProxyListener {
  /**
   * Destroys the connections still waiting for their header, without a log line: before the server closes (fastify's
   * preClose), since the server does not know them yet and would otherwise wait up to HEADER_TIMEOUT_MS for them.
   */
  closeAwaiting(): void;
}

type Outcome = Exclude<ProxyHeaderResult, { status: 'incomplete' }>;

/** Reads the PROXY header of every connection `server` accepts from now on (see above). Call before it listens. */
export function acceptProxyProtocol(server: Server, options: ProxyListenerOptions): ProxyListener {
  const timeoutMs = options.headerTimeoutMs ?? HEADER_TIMEOUT_MS;
  // TLS: each raw socket whose header was read -> the address it gave (null: keep the real one).
  const relayed = new WeakMap<Socket, ProxyAddress | null>();
  const awaiting = new Set<Socket>();
  let closing = false;
  const emit = server.emit as (this: Server, event: string | symbol, ...args: unknown[]) => boolean;

  const takeHeader = (socket: Socket) => {
    const peer = { address: socket.remoteAddress ?? 'unknown', port: socket.remotePort ?? 0 };
    awaiting.add(socket);
    readHeader(socket, timeoutMs, (outcome) => {
      awaiting.delete(socket);
      if (closing) {
        socket.on('error', () => {}).destroy();
        return;
      }
      if (outcome.status === 'invalid') return refuse(socket, peer, outcome.reason);
      if (outcome.source) presentAs(socket, outcome.source);
      leaveOutOfBytesRead(socket, outcome.length);
      if (options.tls) relayed.set(socket, outcome.source);
      emit.call(server, 'connection', socket);
    });
  };

  const refuse = (socket: Socket, peer: { address: string; port: number }, reason: string) => {
    socket.on('error', () => {});
    socket.destroy();
    options.onRefused(peer, reason);
  };

  /** The TLSSocket of a relayed connection takes its raw socket's address (false: refused, see above). */
  const adopt = (tlsSocket: TLSSocket): boolean => {
    const raw = (tlsSocket as TLSSocket & { _parent?: unknown })._parent;
    const source = raw instanceof Socket ? relayed.get(raw) : undefined;
    if (source === undefined) {
      refuse(tlsSocket, { address: tlsSocket.remoteAddress ?? 'unknown', port: tlsSocket.remotePort ?? 0 }, 'TLS connection whose raw socket is not known');
      return false;
    }
    if (source) presentAs(tlsSocket, source);
    return true;
  };

  server.emit = function (this: Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'connection') {
      takeHeader(args[0] as Socket);
      return true;
    }
    if (event === 'secureConnection' && options.tls && !adopt(args[0] as TLSSocket)) return true;
    return emit.call(this, event, ...args);
  } as Server['emit'];

  return {
    closeAwaiting() {
      closing = true;
      for (const socket of awaiting) socket.destroy();
    },
  };
}

/**
 * Reads until `socket`'s first bytes are a complete header or cannot be one, then calls `done` once; on success
 * whatever came after the header is put back (unshift) for the next reader. The socket is read in paused mode
 * ('readable'), as Node's documentation shows for a header parser, so no byte is emitted to anyone else meanwhile.
 */
function readHeader(socket: Socket, timeoutMs: number, done: (outcome: Outcome) => void): void {
  let received: Buffer = Buffer.alloc(0);
  const finish = (outcome: Outcome) => {
    clearTimeout(timer);
    socket.off('readable', onReadable).off('end', onClosed).off('close', onClosed).off('error', onError);
    done(outcome);
  };
  const onReadable = () => {
    for (let chunk = socket.read() as Buffer | null; chunk !== null; chunk = socket.read() as Buffer | null) {
      received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
      const result = parseProxyHeader(received);
      if (result.status === 'incomplete') continue;
      if (result.status === 'complete' && received.length > result.length) socket.unshift(received.subarray(result.length));
      finish(result);
      return;
    }
  };
  const onClosed = () =>
    finish({ status: 'invalid', reason: received.length === 0 ? 'closed without a PROXY header' : 'closed in the middle of its PROXY header' });
  const onError = (error: Error) => finish({ status: 'invalid', reason: `failed before its PROXY header was read: ${error.message}` });
  const timer = setTimeout(() => finish({ status: 'invalid', reason: `no complete PROXY header within ${timeoutMs} ms` }), timeoutMs);
  socket.on('readable', onReadable).on('end', onClosed).on('close', onClosed).on('error', onError);
}

function presentAs(socket: Socket, source: ProxyAddress): void {
  const value = (v: string | number) => ({ value: v, enumerable: true, configurable: true });
  Object.defineProperties(socket, { remoteAddress: value(source.address), remotePort: value(source.port), remoteFamily: value(source.family) });
}

const socketBytesRead = Object.getOwnPropertyDescriptor(Socket.prototype, 'bytesRead')?.get;

function leaveOutOfBytesRead(socket: Socket, headerBytes: number): void {
  if (!socketBytesRead || headerBytes === 0) return;
  Object.defineProperty(socket, 'bytesRead', { get: () => (socketBytesRead.call(socket) as number) - headerBytes, enumerable: true, configurable: true });
}
