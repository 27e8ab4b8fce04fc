/**
 * `npm run soak [-- --json] [--days 7] [--day-s 60] [--keep-days 2] [--issue-per-s 5] [--workshop-per-s 5]`
 *
 * N store days compressed, each in its own gateway process on one data directory, as a store's
 * box lives them: the built gateway (`node gateway/dist/main.js`, the store's node flags, not in
 * demo mode) starts at 07:55 of the day on its own clock (libfaketime, see soak/fake-clock.ts),
 * gets `--day-s` seconds of a busy store's traffic over HTTP (soak/store-traffic.ts: kiosks
 * printing tickets on printer emulators over TCP, tickets handed out, six desks, a workshop),
 * makes its daily backup (`POST /api/backups`), settles, is read, and is stopped with SIGTERM
 * (exit 0 required); the next day starts a day later on the same data directory, so the business
 * day rolls over, retention purges by the day and the relay sends to a DMS simulator.
 *
 * The retention windows are shortened to `--keep-days` (events, the wait estimator's learn window,
 * the relay's acknowledged outbox; print job bytes a day) so they fill within the soak and the
 * database's growth per day shows what stays for good.
 *
 * Per day, after a settle: the gateway's RSS (MB) and V8 heap in use (/metrics), its open handles
 * (/proc/PID/fd), the database (db + wal, MB), the tickets of the day, the event rows purged. With --json the last line is one JSON object:
 * rss_slope_mb_per_day by least squares over days 2..N, db_mb_per_day over the days after the
 * windows are full (days keep+2..N; over 2..N when the soak is shorter). Exit 1 when a day fails
 * (a stop that is not exit 0, a gateway that is not on the day's clock, a 5xx answer).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { rng } from '../demo/demo-members.js';
import { DATABASE_FILE } from '../store/database.js';
import { DmsSimulator } from '../tools/dms-simulator/index.js';
import { PrinterEmulator } from '../tools/printer-emulator/printer-emulator.js';
import { freePort } from './bus-mosquitto.js';
import { leastSquaresSlope, percentile, procStat } from './figures.js';
import { addDays, fakeClockEnv, fakeTimeLibrary } from './soak/fake-clock.js';
import { GatewayProcess, type Reading } from './soak/gateway-process.js';
import { SOAK_DESKS, StoreTraffic, type DayTraffic } from './soak/store-traffic.js';

const TARGET_RSS_SLOPE_MB = 1;
const STORE_ID = 'soak-store';
const TIME_ZONE = 'Asia/Shanghai';
const OPENS_AT = '07:55:00';
const DMS_TOKEN = 'soak-dms-token';
const STAFF_CLI = fileURLToPath(new URL('../tools/staff-cli.js', import.meta.url));

const say = (line: string) => process.stdout.write(`${line}\n`);
const round = (value: number, digits = 2) => Number(value.toFixed(digits));
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface DayRow extends Reading {
  day: number;
  date: string;
  traffic: DayTraffic;
  printedPages: number;
  backup: string;
  /** RSS at the end of the traffic, before the backup and the settle. */
  rssBeforeBackupMb: number;
  /** Event rows the day's retention run deleted (queue and workshop), from /metrics. */
  purgedEvents: number;
  /** V8 heap in use (nodejs_heap_size_used_bytes): what a leak would grow, without RSS's slack. */
  heapUsedMb: number;
  stop: { code: number | null; ms: number };
}

class SoakFailure extends Error {}

/** A manager's token made the way a store makes one (`npm run staff -- token`), before the first start. */
async function managerToken(dataDir: string): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [STAFF_CLI, 'token', '--name', 'soak', '--role', 'manager', '--data-dir', dataDir], { timeout: 60_000 });
  const token = /fcs\.[a-z0-9-]+\.[A-Za-z0-9_-]{43}/.exec(stdout)?.[0];
  if (!token) throw new SoakFailure(`staff-cli printed no token: ${stdout}`);
  return token;
}

/** The day's backup through the gateway; "unavailable" while the gateway has no backups route. */
async function backup(baseUrl: string, token: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/backups`, { method: 'POST', headers: { authorization: `Bearer ${token}` } }).catch(() => undefined);
  if (!res) return 'failed (no answer)';
  if (res.status === 404) return 'unavailable';
  const body = (await res.json().catch(() => ({}))) as { bytes?: number; integrity?: string; error?: { code?: string } };
  if (!res.ok) return `failed ${res.status} ${body.error?.code ?? ''}`.trim();
  return `${body.integrity ?? '?'} ${((body.bytes ?? NaN) / 1048576).toFixed(1)} MB`;
}

/** From the gateway's /metrics: event rows its retention run deleted since it started, and its V8 heap in use. */
async function gatewayMetrics(baseUrl: string, token: string): Promise<{ purgedEvents: number; heapUsedMb: number }> {
  const text = await (await fetch(`${baseUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text();
  const purged = [...text.matchAll(/^forecourt_retention_purged_total\{kind="(?:queue|workshop)_event"\} (\d+)/gm)];
  const heap = /^forecourt_nodejs_heap_size_used_bytes (\S+)/m.exec(text)?.[1];
  return { purgedEvents: purged.reduce((n, m) => n + Number(m[1]), 0), heapUsedMb: Number(heap ?? NaN) / 1048576 };
}

/** Where the database's pages are after the last day, largest first (SQLite's dbstat), with row counts. */
function largestTables(dataDir: string, count = 8): string {
  const db = new Database(join(dataDir, DATABASE_FILE), { readonly: true });
  try {
    const tables = db.prepare("SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC LIMIT ?").all(count) as { name: string; bytes: number }[];
    const rows = (name: string) => {
      try {
        return String(db.prepare(`SELECT COUNT(*) FROM "${name}"`).pluck().get());
      } catch {
        return 'index';
      }
    };
    return tables.map((t) => `${t.name} ${(t.bytes / 1048576).toFixed(2)} MB (${rows(t.name)})`).join(', ');
  } finally {
    db.close();
  }
}

/** The store-local calendar date of an instant. */
const localDate = (at: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      days: { type: 'string', default: '7' },
      'day-s': { type: 'string', default: '60' },
      'settle-s': { type: 'string', default: '10' },
      'keep-days': { type: 'string', default: '2' },
      'issue-per-s': { type: 'string', default: '5' },
      kiosks: { type: 'string', default: '4' },
      'workshop-per-s': { type: 'string', default: '5' },
      seed: { type: 'string', default: '13' },
      'start-date': { type: 'string' },
    },
  });
  const days = Number(values.days);
  const daySeconds = Number(values['day-s']);
  const keepDays = Number(values['keep-days']);
  const library = fakeTimeLibrary();
  if (!library) throw new SoakFailure('libfaketime is not installed (Debian: apt-get install faketime); the soak moves the gateway through days with it');
  // Tomorrow (real time) by default, so the gateway's clock only ever moves forward from the CLI's writes.
  const firstDate = values['start-date'] ?? addDays(localDate(new Date()), 1);
  const random = rng(Number(values.seed));

  const dir = mkdtempSync(join(tmpdir(), 'forecourt-soak-'));
  const dataDir = join(dir, 'data');
  const simulator = new DmsSimulator({ token: DMS_TOKEN });
  const kioskPrinters = Array.from({ length: Number(values.kiosks) }, (_, i) => `kiosk-printer-${i + 1}`);
  const emulators = new Map([...kioskPrinters, 'desk-printer'].map((id) => [id, new PrinterEmulator({ encoding: 'gb18030' })]));
  let gateway: GatewayProcess | undefined;
  const rows: DayRow[] = [];
  try {
    const dmsUrl = await simulator.listen(0, '127.0.0.1');
    const printers = await Promise.all(
      [...emulators].map(async ([id, emulator]) => ({
        id,
        transport: { type: 'tcp', host: '127.0.0.1', port: await emulator.listenTcp(0) },
        profile: { encoding: 'gb18030', width: 80, qr: 'gs-k', confirm: 'gs-h', clearBuffer: true },
      })),
    );
    const [httpPort, mqttPort] = [await freePort(), await freePort()];
    const baseUrl = `http://127.0.0.1:${httpPort}`;
    const configFile = join(dir, 'forecourt.config.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        store: { id: STORE_ID, timeZone: TIME_ZONE },
        http: { host: '127.0.0.1', port: httpPort },
        mqtt: { host: '127.0.0.1', port: mqttPort },
        queue: { desks: SOAK_DESKS, waitEstimate: { learnDays: keepDays } },
        retention: { eventDays: keepDays, printJobBytesDays: 1 },
        relay: { http: { url: dmsUrl, token: DMS_TOKEN, syncEverySeconds: 0 }, retentionDays: keepDays },
        devices: { printers, kioskPrinter: kioskPrinters[0], deskPrinter: 'desk-printer', publicUrl: 'http://forecourt.local:8080' },
        dataDir,
        demo: false,
        log: { level: 'warn' },
      }),
    );
    const token = await managerToken(dataDir);
    say(`soak: ${days} store days from ${firstDate}, ${daySeconds} s of traffic each (${values.kiosks} printing kiosks, ${values['issue-per-s']} more tickets/s, 6 desks, ${values['workshop-per-s']} workshop commands/s), retention windows ${keepDays} days; data in ${dataDir}`);
    say('day  date        tickets served printed  orders in/out ws-cmds cmd p99 ms  RSS pre-backup  backup          purged  RSS MB  heap MB  handles  DB MB  stop');

    const problems: string[] = [];
    let reported = 0;
    for (let day = 1; day <= days; day++) {
      const date = addDays(firstDate, day - 1);
      gateway = new GatewayProcess(configFile, fakeClockEnv(library, `${date} ${OPENS_AT}`, TIME_ZONE));
      const clock = await gateway.healthy(baseUrl);
      // The gateway's own clock (HTTP Date header) must be on the day: else libfaketime did not take.
      if (localDate(clock) !== date) throw new SoakFailure(`day ${day}: the gateway's clock says ${clock.toISOString()}, not ${date} (is libfaketime preloaded?)`);
      const offsetMs = clock.getTime() - Date.now();
      for (const emulator of emulators.values()) emulator.printed.length = 0;

      const traffic = await StoreTraffic.start({ baseUrl, token, kioskPrinters, issuePerS: Number(values['issue-per-s']), workshopPerS: Number(values['workshop-per-s']), gatewayNow: () => Date.now() + offsetMs, random });
      await pause(daySeconds * 1000);
      const done = await traffic.stop();
      if (done.firstIssuedAt && localDate(new Date(done.firstIssuedAt)) !== date) throw new SoakFailure(`day ${day}: tickets were issued at ${done.firstIssuedAt}, not on ${date}`);
      // RSS right after the traffic too: the backup (a copy read back for its integrity check) may leave memory of its own.
      const rssBeforeBackupMb = procStat(gateway.pid).rssMb;
      const backedUp = await backup(baseUrl, token);
      await pause(Number(values['settle-s']) * 1000);
      const reading = gateway.read(dataDir);
      const metrics = await gatewayMetrics(baseUrl, token);
      const stop = await gateway.stop();
      const printedPages = [...emulators.values()].reduce((n, e) => n + e.printed.length, 0);
      const row: DayRow = { day, date, traffic: done, printedPages, backup: backedUp, rssBeforeBackupMb, ...metrics, stop, ...reading };
      rows.push(row);
      say(formatRow(row));
      if (done.notPrinted > 0) say(`     ${done.notPrinted} prints answered printer-not-ready or not-printed (a printer emulator had stopped answering or was slow)`);
      if (done.failures.size > 0) problems.push(`day ${day}: failed answers: ${[...done.failures].map(([kind, n]) => `${kind} ×${n}`).join(', ')}`);
      if (stop.code !== 0) problems.push(`day ${day}: the stop ended with ${stop.code === null ? 'no exit (killed after 10 s)' : `exit ${stop.code}`}`);
      if (problems.length > reported) {
        problems.slice(reported).forEach((p) => say(`     ${p}`));
        reported = problems.length;
        say(`     the gateway's warnings and errors:\n${gateway.log.trim().split('\n').slice(-10).join('\n')}`);
      }
    }

    const figures = summarize(rows, keepDays);
    const heapSlope = leastSquaresSlope(rows.filter((r) => r.day >= 2).map((r) => [r.day, r.heapUsedMb] as const));
    say(`RSS ${figures.rss_mb_first} MB on day 1, ${figures.rss_mb_last} MB on day ${days}: ${figures.rss_slope_mb_per_day} MB/day over days 2..${days} (target ≤ ${TARGET_RSS_SLOPE_MB}: ${Number.isNaN(figures.rss_slope_mb_per_day) ? 'not measured, it needs 3 days' : figures.rss_slope_mb_per_day <= TARGET_RSS_SLOPE_MB ? 'met' : 'NOT met'}); heap in use ${heapSlope.toFixed(2)} MB/day`);
    say(`database +${figures.db_mb_per_day} MB/day once the ${keepDays}-day windows are full; handles on the last day ${figures.handles_last}; DMS simulator stored ${simulator.counters(STORE_ID).stored} events`);
    say(`largest tables after day ${days} (rows): ${largestTables(dataDir)}`);
    if (values.json) say(JSON.stringify(figures));
    if (problems.length > 0) throw new SoakFailure(`${problems.length} problem(s): ${problems.join('; ')}`);
  } finally {
    if (gateway) await gateway.stop();
    await simulator.close();
    await Promise.all([...emulators.values()].map((e) => e.close()));
    rmSync(dir, { recursive: true, force: true });
  }
}

function formatRow(r: DayRow): string {
  const t = r.traffic;
  return [
    String(r.day).padEnd(4),
    r.date.padEnd(11),
    String(t.issued).padStart(7),
    String(t.served).padStart(6),
    String(r.printedPages).padStart(7),
    `${t.ordersOpened}/${t.ordersReleased}`.padStart(14),
    String(t.workshopCommands).padStart(8),
    percentile([...t.commandMs].sort((a, b) => a - b), 99).toFixed(0).padStart(10),
    r.rssBeforeBackupMb.toFixed(1).padStart(15),
    ` ${r.backup}`.padEnd(16),
    String(r.purgedEvents).padStart(7),
    r.rssMb.toFixed(1).padStart(7),
    r.heapUsedMb.toFixed(1).padStart(8),
    String(r.handles).padStart(8),
    r.dbMb.toFixed(2).padStart(6),
    ` exit ${r.stop.code} in ${Math.round(r.stop.ms)} ms`,
  ].join(' ');
}

function summarize(rows: readonly DayRow[], keepDays: number) {
  const after = (first: number, value: (r: DayRow) => number) => rows.filter((r) => r.day >= first).map((r) => [r.day, value(r)] as const);
  const full = after(keepDays + 2, (r) => r.dbMb);
  return {
    days: rows.length,
    rss_mb_first: round(rows[0]?.rssMb ?? NaN, 1),
    rss_mb_last: round(rows.at(-1)?.rssMb ?? NaN, 1),
    rss_slope_mb_per_day: round(leastSquaresSlope(after(2, (r) => r.rssMb))),
    db_mb_per_day: round(leastSquaresSlope(full.length >= 2 ? full : after(2, (r) => r.dbMb))),
    handles_last: rows.at(-1)?.handles ?? NaN,
  };
}

main().catch((err: unknown) => {
  process.stderr.write(`soak failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
