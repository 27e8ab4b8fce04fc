import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GATEWAY_ENV, GATEWAY_NODE_FLAGS } from './figures.js';

// The built gateway as its own process, the way the benchmarks that measure it run it.

const GATEWAY_MAIN = fileURLToPath(new URL('../main.js', import.meta.url));

/** `node GATEWAY_NODE_FLAGS… gateway/dist/main.js --config FILE`, its output piped. */
export function spawnGateway(configFile: string, env: NodeJS.ProcessEnv = process.env, nodeFlags: readonly string[] = []): ChildProcess {
  return spawn(process.execPath, [...GATEWAY_NODE_FLAGS, ...nodeFlags, GATEWAY_MAIN, '--config', configFile], { env: { ...GATEWAY_ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** SIGTERM, then SIGKILL after 6 s; resolves when the child has exited. */
export function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 6000);
  return exited.finally(() => clearTimeout(timer));
}

/**
 * Keeps the last lines a child printed and counts the gateway's refusal warnings; `echo` copies
 * its output to stderr (crash traces while debugging).
 */
export function watchChild(child: ChildProcess, name: string, echo = false): { tail: () => string; refusals: () => number; died: () => string | undefined } {
  let tail = '';
  let refusals = 0;
  let died: string | undefined;
  child.once('exit', (code, signal) => (died = `${name} exited (${signal ?? code}) during the run; its last output: ${tail.slice(-1500)}`));
  const take = (d: Buffer) => {
    const text = d.toString();
    if (echo) process.stderr.write(`[${name}] ${text}`);
    refusals += (text.match(/refused|invalid publish|dropped/g) ?? []).length;
    tail = (tail + text).slice(-3000);
  };
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  return { tail: () => tail, refusals: () => refusals, died: () => died };
}

/** Polls `/healthz` until it answers 200; throws when the child exits or after 30 s. */
export async function waitHealthy(base: string, child: ChildProcess, out: () => string): Promise<void> {
  const until = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`it exited with ${child.exitCode}: ${out()}`);
    const ok = await fetch(`${base}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > until) throw new Error(`not healthy after 30 s: ${out()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The built gateway with `config` on loopback and ephemeral ports, no demo, in data dir `dir`;
 * resolves with its HTTP base once its start banner names the port (fails after 30 s or on exit).
 */
export async function startGatewayIn(dir: string, config: Record<string, unknown>): Promise<{ base: string; child: ChildProcess }> {
  const file = join(dir, 'forecourt.config.json');
  writeFileSync(file, JSON.stringify({ version: 1, http: { host: '127.0.0.1', port: 0 }, mqtt: { host: '127.0.0.1', port: 0 }, dataDir: dir, demo: false, log: { level: 'warn' }, ...config }));
  const child = spawnGateway(file);
  const watch = watchChild(child, 'gateway');
  let out = '';
  const base = await new Promise<string>((resolveBase, reject) => {
    const timer = setTimeout(() => reject(new Error(`the gateway did not start: ${watch.tail()}`)), 30_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const port = /Open http:\/\/localhost:(\d+)\//.exec(out)?.[1];
      if (port) {
        clearTimeout(timer);
        resolveBase(`http://127.0.0.1:${port}`);
      }
    });
    child.once('exit', (code) => reject(new Error(`the gateway exited with ${code}: ${watch.tail()}`)));
  });
  return { base, child };
}
