import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { pcscdAnswers, pcscdSocketPath } from '../adapters/nfc/pcscd-socket.js';

/** vsmartcard-vpcd's reader configuration: without it pcscd has no virtual readers. */
const VPCD_READER_CONF = '/etc/reader.conf.d/vpcd';

function pcscdRunning(): boolean {
  try {
    execFileSync('pgrep', ['-x', 'pcscd'], { stdio: 'ignore' });
    return true;
  } catch {
    return false; // pgrep exits 1 when nothing matches
  }
}

/** Why the virtual reader stack cannot run here, or undefined when pcscd and vpcd are installed. */
export function vpcdMissing(): string | undefined {
  try {
    execFileSync('sh', ['-c', 'command -v pcscd'], { stdio: 'ignore' });
  } catch {
    return 'pcscd is not installed (apt-get install -y pcscd vsmartcard-vpcd)';
  }
  return existsSync(VPCD_READER_CONF) ? undefined : `vsmartcard-vpcd is not installed (no ${VPCD_READER_CONF}; apt-get install -y vsmartcard-vpcd)`;
}

/**
 * Starts `pcscd -f` when none runs (one per machine) and waits until its socket answers;
 * undefined when one was already running (the caller must not stop it).
 */
export async function startPcscd(): Promise<ChildProcess | undefined> {
  if (pcscdRunning()) return undefined;
  const child = spawn('pcscd', ['-f'], { stdio: 'ignore' });
  child.once('error', () => undefined);
  const deadline = Date.now() + 10_000;
  while (!(await pcscdAnswers(pcscdSocketPath(), 200))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error('pcscd did not start (apt-get install -y pcscd vsmartcard-vpcd)');
    await new Promise((r) => setTimeout(r, 100));
  }
  return child;
}

/** Stops a pcscd that startPcscd started. */
export async function stopPcscd(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}
