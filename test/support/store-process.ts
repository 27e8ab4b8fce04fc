import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { StaffRole } from '@forecourt/gateway';
import type { DeviceKind } from '@forecourt/gateway/protocol';
import { freePort, REPO_ROOT, runGateway, waitFor, type Run } from './process.js';

const run = promisify(execFile);

/** A store installed the way an installer does it: a config file, its data dir, the CLIs' credentials. */
export interface StoreInstall {
  dir: string;
  dataDir: string;
  /** `--config FILE`, for the gateway and the CLIs alike. */
  args: string[];
}

export interface RunningStore {
  run: Run;
  httpUrl: string;
  mqttUrl: string;
  wsUrl: string;
}

/** A store directory with `forecourt.config.json` (not a demo unless `config` says so). */
export function installStore(config: Record<string, unknown> = {}): StoreInstall {
  const dir = mkdtempSync(join(tmpdir(), 'forecourt-store-'));
  const file = join(dir, 'forecourt.config.json');
  writeFileSync(file, JSON.stringify({ version: 1, dataDir: './data', demo: false, ...config }));
  return { dir, dataDir: join(dir, 'data'), args: ['--config', file] };
}

/** `npm run devices -- provision`: the device's MQTT login from its connection sheet. */
export async function provisionDevice(store: StoreInstall, id: string, kind: DeviceKind, station?: string): Promise<{ clientId: string; username: string; password: string }> {
  const { stdout } = await tool('devices-cli.js', ['provision', id, '--kind', kind, ...(station ? ['--station', station] : []), ...store.args]);
  const password = /password\s+(\S+)/.exec(stdout)?.[1];
  if (!password) throw new Error(`no password on the connection sheet:\n${stdout}`);
  return { clientId: id, username: id, password };
}

/** `npm run staff -- token`: a bearer token of the role. */
export async function staffTokenOf(store: StoreInstall, role: StaffRole): Promise<string> {
  const { stdout } = await tool('staff-cli.js', ['token', '--name', `test ${role}`, '--role', role, ...store.args]);
  const token = /^(fcs\.\S+)$/m.exec(stdout)?.[1];
  if (!token) throw new Error(`no token printed:\n${stdout}`);
  return token;
}

/** Starts `node gateway/dist/main.js` on free ports and waits until /healthz says ok. */
export async function startStore(store: StoreInstall, env: Record<string, string> = {}): Promise<RunningStore> {
  const [httpPort, mqttPort] = [await freePort(), await freePort()];
  const running = runGateway([...store.args, '--http-port', String(httpPort), '--mqtt-port', String(mqttPort)], env);
  const httpUrl = `http://127.0.0.1:${httpPort}`;
  const died = running.exited.then(({ code }) => {
    throw new Error(`the gateway exited with code ${code} while starting:\n${running.output()}`);
  });
  died.catch(() => undefined);
  await Promise.race([waitFor(async () => ((await fetch(`${httpUrl}/healthz`)).ok ? true : undefined), 20_000), died]);
  return { run: running, httpUrl, mqttUrl: `mqtt://127.0.0.1:${mqttPort}`, wsUrl: `ws://127.0.0.1:${httpPort}/mqtt` };
}

/** Ends a gateway process still running (a test's cleanup). */
export async function killStore(store: RunningStore | undefined): Promise<void> {
  if (!store || store.run.child.exitCode !== null || store.run.child.signalCode !== null) return;
  store.run.child.kill('SIGKILL');
  await store.run.exited;
}

function tool(name: string, args: string[]): Promise<{ stdout: string }> {
  return run(process.execPath, [join(REPO_ROOT, 'gateway/dist/tools', name), ...args], { cwd: REPO_ROOT });
}
