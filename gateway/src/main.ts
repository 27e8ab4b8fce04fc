#!/usr/bin/env node
import { ConfigError, loadConfig } from './config/load.js';
import { Gateway } from './gateway.js';
import { DEMO_STAFF } from './demo/demo-staff.js';
import { createLogger } from './observability/log.js';
import { DatabaseTooNewError } from './store/database.js';

const EXIT_CONFIG = 2;
const SHUTDOWN_DEADLINE_MS = 4500;

async function main(): Promise<void> {
  let loaded;
  try {
    loaded = loadConfig(process.argv.slice(2), process.env, process.cwd());
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`forecourt: ${err.message}\n`);
    process.exit(EXIT_CONFIG);
  }
  const { config, file } = loaded;
  const log = createLogger(config.log.level);
  const started = performance.now();
  const gateway = new Gateway(config, { log });

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    setTimeout(() => {
      log.error('shutdown took too long; exiting anyway');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    gateway.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);

  try {
    await gateway.start();
  } catch (err) {
    if (err instanceof DatabaseTooNewError) {
      log.fatal(err.message);
      await gateway.stop();
      process.exit(EXIT_CONFIG);
    }
    log.fatal({ err }, 'start-up failed');
    await gateway.stop();
    process.exit(1);
  }

  const base = `http://localhost:${gateway.httpPort}`;
  log.info(
    {
      config: file ?? '(defaults)',
      dataDir: config.dataDir,
      mqtt: `mqtt://localhost:${gateway.mqttPort}`,
      websocket: `ws://localhost:${gateway.httpPort}/mqtt`,
      startupMs: Math.round(performance.now() - started),
    },
    'Forecourt gateway ready',
  );
  process.stdout.write(
    [
      '',
      `  Forecourt is running for store "${config.store.id}".`,
      `  Open ${base}/`,
      `    kiosk   ${base}/kiosk/`,
      `    desk    ${base}/desk/`,
      `    board   ${base}/board/`,
      `  MQTT     mqtt://localhost:${gateway.mqttPort}  and  ws://localhost:${gateway.httpPort}/mqtt`,
      `  Health   ${base}/healthz`,
      ...(gateway.headOfficeUrl ? [`  Head office  ${gateway.headOfficeUrl}/   simulated DMS: the events the store relays arrive here`] : []),
      ...accessLines(gateway.identity.demo),
      '',
    ].join('\n') + '\n',
  );
}

/** Demo: who can sign in (these PINs protect nothing). Otherwise: how the first manager is made. */
function accessLines(demo: boolean): string[] {
  if (!demo) {
    return [
      '  Sign-in  staff sign in at the desk with staff number + PIN; create the first manager with',
      '           npm run staff -- add --name "…" --role manager   (same --data-dir / --config as the gateway)',
      '           new kiosk, board and bay screens show a pairing code: approve it in the desk\'s Devices panel',
    ];
  }
  return [
    '  Demo staff (desk and bay sign-in; demo screens enrol themselves):',
    ...DEMO_STAFF.map((s) => `    ${s.staffNo}  PIN ${s.pin}  ${s.role.padEnd(20)} ${s.name}`),
  ];
}

void main();
