import type { ChildProcess } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DATABASE_FILE } from '../../store/database.js';
import { procStat } from '../figures.js';
import { spawnGateway, watchChild } from '../gateway-process.js';

const START_TIMEOUT_MS = 60_000;
/** main.ts ends a stop that takes longer than 2.9 s itself, with exit code 1. */
const STOP_TIMEOUT_MS = 10_000;

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What is read off a running gateway process: memory from /proc, handles, the database files. */
export interface Reading {
  rssMb: number;
  /** Entries of /proc/PID/fd: sockets, files, pipes, epoll and event fds. */
  handles: number;
  /** forecourt.sqlite plus its -wal, MB. */
  dbMb: number;
}

/** One gateway process (`node gateway/dist/main.js`, the store's node flags) on the soak's data directory. */
export class GatewayProcess {
  private readonly child: ChildProcess;
  private readonly exited: Promise<number | null>;
  private readonly output: () => string;

  constructor(configFile: string, env: NodeJS.ProcessEnv) {
    this.child = spawnGateway(configFile, { ...process.env, ...env });
    // Its log (level warn: warnings and errors), kept for the report.
    this.output = watchChild(this.child, 'gateway').tail;
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The end of what it wrote (warnings and errors). */
  get log(): string {
    return this.output();
  }

  /** Waits for /healthz 200 and answers the gateway's own clock, from the HTTP Date header. */
  async healthy(baseUrl: string): Promise<Date> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      const res = await fetch(`${baseUrl}/healthz`).catch(() => undefined);
      if (res?.ok) return new Date(res.headers.get('date') ?? NaN);
      if (this.child.exitCode !== null) throw new Error(`the gateway exited (${this.child.exitCode}) before it was healthy:\n${this.output()}`);
      if (Date.now() > deadline) throw new Error(`the gateway was not healthy within ${START_TIMEOUT_MS / 1000} s`);
      await pause(100);
    }
  }

  read(dataDir: string): Reading {
    const pid = this.child.pid;
    const handles = pid === undefined ? NaN : readdirSync(`/proc/${pid}/fd`).length;
    const size = (file: string) => {
      try {
        return statSync(join(dataDir, file)).size;
      } catch {
        return 0;
      }
    };
    return { rssMb: procStat(pid).rssMb, handles, dbMb: (size(DATABASE_FILE) + size(`${DATABASE_FILE}-wal`)) / 1048576 };
  }

  /** SIGTERM, as systemd stops it; answers the exit code and how long the stop took. */
  async stop(): Promise<{ code: number | null; ms: number }> {
    const asked = performance.now();
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    const code = await Promise.race([this.exited, pause(STOP_TIMEOUT_MS).then(() => 'timeout' as const)]);
    if (code === 'timeout') {
      this.child.kill('SIGKILL');
      await this.exited;
      return { code: null, ms: STOP_TIMEOUT_MS };
    }
    return { code, ms: performance.now() - asked };
  }
}
