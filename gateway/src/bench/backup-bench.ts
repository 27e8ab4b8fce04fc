/**
 * `npm run bench:backup [-- --mb N] [--json]`
 *
 * One backup of a database of about N MB (default 200: a busy store's year with the default
 * retention is well under 1 GB, see README) while the store writes on: a table with an index,
 * filled to size, then `backupDatabase` (copy and integrity check on worker threads) while the
 * main thread commits one synchronous=FULL insert every 10 ms, as a busy gateway does. Measures
 * how long the backup takes, how much the event loop stalls meanwhile, and the writes that went
 * through. Human-readable lines first; with --json the last line is one JSON object.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { openDatabase } from '../store/database.js';
import { backupDatabase } from '../store/backup.js';

const LAG_RESOLUTION_MS = 5;
const WRITE_EVERY_MS = 10;
const BASELINE_MS = 3000;
const ms = (ns: number) => Math.round(Math.max(0, ns / 1e6 - LAG_RESOLUTION_MS) * 10) / 10;

const { values } = parseArgs({ options: { mb: { type: 'string', default: '200' }, json: { type: 'boolean', default: false } } });
const mb = Number(values.mb);
if (!Number.isFinite(mb) || mb < 1 || mb > 4096) {
  process.stderr.write('--mb: a size in MB, 1-4096\n');
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'forecourt-bench-backup-'));
try {
  const db = openDatabase(join(dir, 'data'));
  db.exec('CREATE TABLE filler (id INTEGER PRIMARY KEY, text TEXT NOT NULL, k TEXT NOT NULL); CREATE INDEX filler_k ON filler (k)');
  const insert = db.prepare('INSERT INTO filler (text, k) VALUES (?, ?)');
  // Filling is not what is measured: without fsyncs, in big transactions.
  db.pragma('synchronous = OFF');
  const rows = Math.round((mb * 1024 * 1024) / 1300);
  for (let done = 0; done < rows; done += 10_000) {
    db.transaction(() => {
      for (let i = done; i < Math.min(rows, done + 10_000); i++) insert.run(`${i} ${'x'.repeat(1000)}`, String(Math.random()));
    })();
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.pragma('synchronous = FULL');

  // The same writes without a backup first: on a busy disk their fsyncs stall the loop too.
  const baseline = await writing(BASELINE_MS);
  let backupMs = 0;
  let bytes = 0;
  const during = await writing(async () => {
    const started = performance.now();
    bytes = (await backupDatabase(db, { folder: join(dir, 'backups'), at: new Date(), timeZone: 'Asia/Shanghai' })).bytes;
    backupMs = performance.now() - started;
  });
  db.close();

  /** Commits one row every WRITE_EVERY_MS while `work` runs (or for that many ms); the loop's delay meanwhile. */
  async function writing(work: number | (() => Promise<void>)) {
    const lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
    lag.enable();
    let writes = 0;
    const writer = setInterval(() => {
      insert.run('written during the backup', 'w');
      writes++;
    }, WRITE_EVERY_MS);
    await (typeof work === 'number' ? new Promise((r) => setTimeout(r, work)) : work());
    clearInterval(writer);
    lag.disable();
    return { writes, p99: ms(lag.percentile(99)), max: ms(lag.max) };
  }

  const figures = {
    db_mb: Math.round((bytes / 1024 / 1024) * 10) / 10,
    backup_ms: Math.round(backupMs),
    mb_per_s: Math.round((bytes / 1024 / 1024 / (backupMs / 1000)) * 10) / 10,
    loop_lag_p99_ms: during.p99,
    loop_lag_max_ms: during.max,
    writes_during: during.writes,
    baseline_loop_lag_p99_ms: baseline.p99,
    baseline_loop_lag_max_ms: baseline.max,
  };
  process.stdout.write(`backup of ${figures.db_mb} MB (checked) in ${figures.backup_ms} ms, ${figures.mb_per_s} MB/s; ${during.writes} writes went through meanwhile\n`);
  process.stdout.write(`event loop delay during the backup: p99 ${during.p99} ms, max ${during.max} ms (the same writes without a backup: p99 ${baseline.p99} ms, max ${baseline.max} ms)\n`);
  if (values.json) process.stdout.write(`${JSON.stringify(figures)}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
