import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { pcscdAnswers, pcscdSocketPath } from '../../gateway/src/adapters/nfc/pcscd-socket.js';
import { waitFor } from './process.js';

/** The pcscd these tests run; one per machine, so the files that use it never run in parallel. */
export interface Pcscd {
  readonly pid: number | undefined;
  stop(): Promise<void>;
  /** Stops and starts again: a reader "unplugged" and plugged back (vpcd readers are static). */
  restart(): Promise<void>;
}

function runningPcscd(): string[] {
  try {
    return execFileSync('pgrep', ['-x', 'pcscd'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

/** Starts `pcscd -f` (foreground, no systemd) after checking that no other one runs. */
export async function startPcscd(): Promise<Pcscd> {
  const others = runningPcscd();
  if (others.length > 0) {
    throw new Error(`pcscd is already running (pid ${others.join(', ')}); stop it first: these tests start and stop their own`);
  }
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    child = spawn('pcscd', ['-f'], { stdio: 'ignore' });
    await waitFor(async () => ((await pcscdAnswers(pcscdSocketPath(), 200)) ? true : undefined), 10_000, 100);
  };
  const stop = async (): Promise<void> => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    c.kill('SIGTERM');
    const timer = setTimeout(() => c.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  await start();
  return {
    get pid() {
      return child?.pid;
    },
    stop,
    async restart() {
      await stop();
      await start();
    },
  };
}
