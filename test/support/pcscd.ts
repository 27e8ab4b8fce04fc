import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pcscdAnswers, pcscdSocketPath } from '../../gateway/src/adapters/nfc/pcscd-socket.js';
import { waitFor } from './process.js';

/** The pcscd these tests run; one per machine, so the files that use it take turns (lockPcscd). */
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

const LOCK_DIR = join(tmpdir(), 'forecourt-pcscd.lock');
const OWNER_FILE = join(LOCK_DIR, 'pid');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One test file at a time on this machine's pcscd: a lock directory made atomically, held until the
 * test process ends (a dead holder's lock is taken over), so test files that use pcscd may run in
 * parallel workers and simply wait their turn.
 */
async function lockPcscd(waitMs: number): Promise<void> {
  await waitFor(
    () => {
      try {
        mkdirSync(LOCK_DIR);
        writeFileSync(OWNER_FILE, String(process.pid));
        return true;
      } catch {
        let owner: number;
        try {
          owner = Number(readFileSync(OWNER_FILE, 'utf8'));
        } catch {
          return undefined; // being made or removed right now
        }
        if (owner === process.pid) return true;
        if (Number.isInteger(owner) && owner > 0 && !alive(owner)) rmSync(LOCK_DIR, { recursive: true, force: true });
        return undefined;
      }
    },
    waitMs,
    250,
  );
}

/** Starts `pcscd -f` (foreground, no systemd) once it is this file's turn and no other one runs. */
export async function startPcscd(options: { waitMs?: number } = {}): Promise<Pcscd> {
  const waitMs = options.waitMs ?? 240_000;
  const started = Date.now();
  await lockPcscd(waitMs);
  // The previous holder's pcscd may still be on its way out (or one started without the lock).
  await waitFor(() => (runningPcscd().length === 0 ? true : undefined), Math.max(10_000, waitMs - (Date.now() - started)), 250).catch(() => undefined);
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
