import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Receives sd_notify messages the way systemd does (a unix datagram socket; the fd of a barrier
 * closed at once, which lets `systemd-notify` return). Node has no datagram sockets, so Python's
 * standard library listens; each message arrives as one line.
 */
const RECEIVER = `
import array, os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print('listening', flush=True)
while True:
    msg, anc, flags, addr = s.recvmsg(4096, socket.CMSG_SPACE(64))
    for level, kind, data in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds = array.array('i')
            fds.frombytes(data[: len(data) - len(data) % fds.itemsize])
            for fd in fds:
                os.close(fd)
    print(msg.decode().replace('\\n', ' '), flush=True)
`;

export interface NotifySocket {
  path: string;
  /** Every message so far, in order, with the time it arrived. */
  messages: { text: string; at: number }[];
  close(): void;
}

export async function listenForNotifications(): Promise<NotifySocket> {
  const path = join(mkdtempSync(join(tmpdir(), 'forecourt-notify-')), 'notify.sock');
  const child: ChildProcess = spawn('python3', ['-c', RECEIVER, path], { stdio: ['ignore', 'pipe', 'inherit'] });
  const messages: { text: string; at: number }[] = [];
  let pending = '';
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.stdout?.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (line === 'listening') resolve();
        else messages.push({ text: line, at: Date.now() });
      }
    });
  });
  return { path, messages, close: () => child.kill() };
}
