// A stand-in for systemd's notification socket (sd_notify(3)) for tests and the footprint bench, where systemd is not
// PID 1: a real AF_UNIX datagram socket bound by a python3 child (Node has no unix datagram sockets), which receives
// what systemd-notify sends. It reads each sender's credentials (SO_PASSCRED) as systemd does, and closes the file
// descriptor systemd-notify passes with BARRIER=1: that is how systemd tells systemd-notify the message was processed.
//
// Contract: startNotifySocket() resolves once the socket is bound; every datagram is in `received` (time of arrival,
// sender PID, text) as soon as the child printed it; stop() kills the child. The socket file is the caller's to remove.
import { spawn } from 'node:child_process';

const READY_TIMEOUT_MS = 10_000;

const RECEIVER = `
import array, json, os, socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
s.bind(sys.argv[1])
print('ready', flush=True)
while True:
    data, anc, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(12) + socket.CMSG_SPACE(8 * 4))
    pid = None
    for level, kind, payload in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
            pid = struct.unpack('iII', payload[:12])[0]
        elif level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds = array.array('i')
            fds.frombytes(payload[: len(payload) - len(payload) % 4])
            for fd in fds:
                os.close(fd)
    print(json.dumps({'pid': pid, 'text': data.decode()}), flush=True)
`;

export interface Notification {
  /** Date.now() when the line arrived. */
  at: number;
  /** The sender's PID from its credentials. */
  pid: number;
  text: string;
}

export interface NotifySocket {
  path: string;
  received: Notification[];
  /** The keep-alives (WATCHDOG=…), without the BARRIER=1 that systemd-notify sends after each message. */
  pings(): Notification[];
  stop(): void;
}

export function startNotifySocket(path: string): Promise<NotifySocket> {
  const child = spawn('python3', ['-c', RECEIVER, path], { stdio: ['ignore', 'pipe', 'pipe'] });
  const received: Notification[] = [];
  let rest = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`the notification socket ${path} was not bound within ${READY_TIMEOUT_MS} ms: ${stderr}`)), READY_TIMEOUT_MS);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.on('error', fail);
    child.on('exit', (code) => fail(new Error(`python3 exited (${code}) before binding ${path}: ${stderr}`)));
    child.stdout.on('data', (chunk: Buffer) => {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop()!;
      for (const line of lines) {
        if (line !== 'ready') {
          received.push({ at: Date.now(), ...(JSON.parse(line) as { pid: number; text: string }) });
          continue;
        }
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve({ path, received, pings: () => received.filter((n) => n.text.startsWith('WATCHDOG')), stop: () => child.kill('SIGKILL') });
      }
    });
  });
}
