import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Gateway, createLogger, loadConfig, type Config, type GatewayDeps } from '@forecourt/gateway';
import { bearer, staffToken } from './identities.js';

export interface TestGateway {
  gateway: Gateway;
  config: Config;
  dataDir: string;
  httpUrl: string;
  mqttUrl: string;
  wsUrl: string;
  /** Stops the gateway; the data dir stays for a restart. */
  stop(): Promise<void>;
  /** Stops and deletes the data dir. */
  dispose(): Promise<void>;
  /** Headers of a manager's bearer token, for tests that are not about who may do what. */
  admin: Record<string, string>;
}

/** A real gateway on ephemeral ports with its own temp data dir (or a given one, for restarts). */
export async function startTestGateway(
  options: { dataDir?: string; demo?: boolean; httpPort?: number; configure?: (config: Config) => void; deps?: Omit<GatewayDeps, 'log'> } = {},
): Promise<TestGateway> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'forecourt-test-'));
  const { config } = loadConfig(
    ['--http-port', String(options.httpPort ?? 0), '--mqtt-port', '0', '--data-dir', dataDir],
    {},
    dataDir,
  );
  config.http.host = '127.0.0.1';
  config.mqtt.host = '127.0.0.1';
  config.demo = options.demo ?? false;
  options.configure?.(config);
  const gateway = new Gateway(config, { log: createLogger(process.env['FORECOURT_TEST_LOG'] ?? 'silent', false), ...options.deps });
  await gateway.start();
  const stop = () => gateway.stop();
  const admin = bearer(staffToken(gateway, 'manager', 'test admin'));
  return {
    gateway,
    config,
    dataDir,
    httpUrl: `http://127.0.0.1:${gateway.httpPort}`,
    mqttUrl: `mqtt://127.0.0.1:${gateway.mqttPort}`,
    wsUrl: `ws://127.0.0.1:${gateway.httpPort}/mqtt`,
    stop,
    admin,
    async dispose() {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
