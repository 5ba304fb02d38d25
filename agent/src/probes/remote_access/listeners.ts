// Which TCP ports something listens on right now: Linux's /proc/net/tcp and tcp6 (state 0A is LISTEN; the local
// address is hex `ADDR:PORT`), macOS's `netstat -an -p tcp` (the local address's last dot-separated part is the port).

const LISTEN = '0A';

/** /proc/net/tcp or tcp6 -> the local ports of its listening sockets. */
export function procListeningPorts(text: string): Set<number> {
  const ports = new Set<number>();
  for (const line of text.split('\n').slice(1)) {
    const [, local, , state] = line.trim().split(/\s+/);
    const port = local?.split(':')[1];
    if (state === LISTEN && port && /^[0-9A-F]{4}$/i.test(port)) ports.add(parseInt(port, 16));
  }
  return ports;
}

/** `netstat -an -p tcp` (macOS) -> the local ports of its LISTEN rows. */
export function netstatListeningPorts(text: string): Set<number> {
  const ports = new Set<number>();
  for (const line of text.split('\n')) {
    const cols = line.trim().split(/\s+/);
    if (!/^tcp/.test(cols[0] ?? '') || cols.at(-1) !== 'LISTEN') continue;
    const port = /\.(\d+)$/.exec(cols[3] ?? '')?.[1];
    if (port) ports.add(Number(port));
  }
  return ports;
}
