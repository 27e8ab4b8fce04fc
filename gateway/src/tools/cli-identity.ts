import { ConfigError, loadConfig } from '../config/load.js';
import { demoEnabled } from '../gateway.js';
import type { Config } from '../config/schema.js';
import { Identity } from '../identity/identity.js';
import { createLogger } from '../observability/log.js';
import { openDatabase, type Db } from '../store/database.js';
import type { Actor } from '../store/audit-log.js';

/** Who the command-line tools act as in the audit log: the person at the gateway's console. */
export const CONSOLE: Actor = { actor: 'console', role: 'installer', via: 'cli' };

/**
 * The identity store of the gateway's data directory, found the way the gateway finds it
 * (`--config`, `--data-dir`, FORECOURT_* env, forecourt.config.yaml in the working directory).
 */
export function openIdentity(gatewayArgs: string[]): { identity: Identity; db: Db; config: Config } {
  let config;
  try {
    config = loadConfig(gatewayArgs, process.env, process.cwd()).config;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    fail(err.message);
  }
  const db = openDatabase(config.dataDir);
  const identity = new Identity(db, { storeId: config.store.id, demo: demoEnabled(config), ...config.auth }, () => new Date(), createLogger('warn', false));
  return { identity, db, config };
}

/** Splits `--config F` and `--data-dir D` (for loadConfig) from the tool's own arguments. */
export function splitArgs(argv: readonly string[]): { gateway: string[]; own: string[] } {
  const gateway: string[] = [];
  const own: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag, inline] = arg.split('=', 2);
    if (flag === '--config' || flag === '--data-dir') {
      if (inline !== undefined) gateway.push(arg);
      else gateway.push(arg, argv[++i] ?? '');
    } else own.push(arg);
  }
  return { gateway, own };
}

export function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}
