import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/**
 * A real PTY pair made by socat (`pty,raw,echo=0` on both ends, linked at `a` and `b`). `kill`
 * pulls the cable: both ends close, as a USB-serial adapter pulled out would. `start` plugs it
 * back in under the same names.
 */
export class PtyPair {
  private child: ChildProcess | undefined;
  readonly a: string;
  readonly b: string;

  constructor(dir: string, name: string) {
    this.a = join(dir, `${name}-a`);
    this.b = join(dir, `${name}-b`);
  }

  async start(): Promise<void> {
    const child = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${this.a}`, `pty,raw,echo=0,link=${this.b}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      let log = '';
      const timer = setTimeout(() => reject(new Error(`socat did not start: ${log}`)), 5000);
      child.stderr?.on('data', (d: Buffer) => {
        log += d.toString();
        if (log.includes('starting data transfer loop')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => reject(new Error(`socat exited with ${code}: ${log}`)));
    });
  }

  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}

const TOOLS = fileURLToPath(new URL('../../gateway/dist/tools/', import.meta.url));

export interface JsonEvent {
  event: string;
  [key: string]: unknown;
}

/**
 * One of the gateway's device tools (printer-emulator/main.js, dispenser-simulator/main.js) as a child process:
 * JSON lines out, commands in.
 */
export class ToolProcess {
  readonly events: JsonEvent[] = [];
  private readonly child: ChildProcess;
  private readonly listeners = new Set<() => void>();

  constructor(tool: string, args: string[]) {
    this.child = spawn(process.execPath, [join(TOOLS, tool), ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      try {
        this.events.push(JSON.parse(line) as JsonEvent);
      } catch {
        this.events.push({ event: 'text', line });
      }
      this.listeners.forEach((l) => l());
    });
  }

  send(line: string): void {
    this.child.stdin?.write(`${line}\n`);
  }

  /** The first event (from `from` on) that matches, waiting for it up to `timeoutMs`. */
  waitFor(match: (e: JsonEvent) => boolean, timeoutMs = 10_000, from = 0): Promise<JsonEvent> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.events.slice(from).find(match);
        if (!found) return false;
        this.listeners.delete(check);
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(this.events.slice(-5))}`));
      }, timeoutMs);
      if (!check()) this.listeners.add(check);
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}
