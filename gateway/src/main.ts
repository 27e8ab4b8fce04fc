#!/usr/bin/env node
import { ConfigError, loadConfig } from './config/load.js';
import { Gateway } from './gateway.js';
import { DEMO_STAFF } from './demo/demo-staff.js';
import { createLogger } from './observability/log.js';
import { DatabaseTooNewError } from './store/database.js';
import { DataDirLockedError } from './supervision/data-dir-lock.js';
import { SystemdNotifier } from './supervision/systemd-notify.js';
import { Watchdog, watchdogIntervalMs } from './supervision/watchdog.js';

const EXIT_CONFIG = 2;
const EXIT_FAILED = 1;
/**
 * A clean stop takes well under a second (requests get 1 s of it). Past this the process ends
 * anyway, logged as an error and with exit code 1, so a supervisor records the stop as failed.
 */
const SHUTDOWN_DEADLINE_MS = 2900;

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
  const gateway = new Gateway(config, {
    log,
    // Nothing unsynced has left the gateway; after a restart SQLite recovers what the disk holds.
    onDurabilityLost: () => process.exit(EXIT_FAILED),
  });
  // Under systemd (Type=notify): READY once serving, STOPPING at a signal, watchdog pings between.
  const systemd = SystemdNotifier.fromEnv(process.env, log);
  const pingEveryMs = watchdogIntervalMs(process.env);
  const watchdog = systemd && pingEveryMs ? new Watchdog(() => gateway.unanswered(), () => systemd.send('WATCHDOG=1'), pingEveryMs, log) : undefined;

  let stopping = false;
  let starting: Promise<void> = Promise.resolve();
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    const asked = performance.now();
    log.info({ signal }, 'shutting down');
    watchdog?.stop();
    void systemd?.send('STOPPING=1');
    setTimeout(() => {
      log.error({ deadlineMs: SHUTDOWN_DEADLINE_MS }, 'shutdown took too long; exiting anyway: a failed stop');
      process.exit(EXIT_FAILED);
    }, SHUTDOWN_DEADLINE_MS).unref();
    // A signal during start-up stops what has started so far.
    starting
      .catch(() => undefined)
      .then(() => gateway.stop())
      .then(
        () => {
          log.info({ stopMs: Math.round(performance.now() - asked) }, 'stopped cleanly');
          process.exit(0);
        },
        (err: unknown) => {
          log.error({ err }, 'shutdown failed');
          process.exit(EXIT_FAILED);
        },
      );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);

  try {
    starting = gateway.start();
    await starting;
  } catch (err) {
    if (stopping) return;
    if (err instanceof DatabaseTooNewError || err instanceof DataDirLockedError) {
      log.fatal(err.message);
      process.stderr.write(`forecourt: ${err.message}\n`);
      await gateway.stop();
      process.exit(EXIT_CONFIG);
    }
    log.fatal({ err }, 'start-up failed');
    await gateway.stop();
    process.exit(EXIT_FAILED);
  }
  if (stopping) return;
  await systemd?.send('READY=1', `STATUS=serving store ${config.store.id}`);
  watchdog?.start();

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
