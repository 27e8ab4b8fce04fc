import { spawn, type ChildProcess } from 'node:child_process';

/**
 * A real PTY pair made by socat (`pty,raw,echo=0` on both ends, linked at `a` and `b`): the
 * serial cable between a simulated device and the gateway. Resolves once socat moves data;
 * killing the child pulls the cable.
 */
export async function socatPair(a: string, b: string): Promise<ChildProcess> {
  const child = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let log = '';
    child.once('error', reject);
    child.stderr?.on('data', (d: Buffer) => {
      log += d.toString();
      if (log.includes('starting data transfer loop')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`socat exited with ${code}: ${log}`)));
  });
  return child;
}
