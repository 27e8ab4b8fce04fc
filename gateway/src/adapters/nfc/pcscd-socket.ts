import { connect } from 'node:net';

/** Where pcsclite talks to pcscd; the same variable pcsclite itself reads. */
export function pcscdSocketPath(env: NodeJS.ProcessEnv = process.env): string {
  return env['PCSCLITE_CSOCK_NAME'] ?? '/run/pcscd/pcscd.comm';
}

/**
 * True when pcscd accepts a connection. Checked before every `new NFC()`: constructed while pcscd
 * is down, nfc-pcsc spins inside its native constructor and blocks the event loop.
 */
export function pcscdAnswers(path: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
