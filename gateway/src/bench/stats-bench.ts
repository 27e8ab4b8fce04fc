/**
 * `npm run bench:stats [-- --json] [--data FILE] [--days 3] [--runs 40]`
 *
 * The manager's statistics over a year of a busy store. The busiest days of the Anonymous Bank
 * log go through the queue engine into SQLite (as bench:relay does), each is rolled up as the
 * gateway does when a day closes (timed), and their rows are copied back through a year of dates
 * (365 busy days). Then the desk's queries are timed through the Statistics extension, with
 * today, the last busy day, folded live from its events: a year per day, hour, service and desk.
 * Human-readable lines first; with --json the last line is one JSON object.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { loadConfig } from '../config/load.js';
import { businessDay } from '../domain/queue/business-day.js';
import type { ExtensionContext } from '../extensions/extension.js';
import { Statistics } from '../extensions/statistics.js';
import { STATS_GROUPINGS } from '../protocol/stats.js';
import { openDatabase } from '../store/database.js';
import { busiestDays, DAY_START_HOUR, readAnonbankFile, SOURCE_ACKNOWLEDGEMENT, TIME_ZONE, toTrace } from './anonbank.js';
import { percentile } from './figures.js';
import { buildBacklog } from './relay-backlog.js';

const DEFAULT_DATA = resolve(fileURLToPath(new URL('../../../', import.meta.url)), '../shared/data/anonbank-1999-02.tsv');
const DAY_MS = 86_400_000;
const say = (line: string) => process.stdout.write(`${line}\n`);
const round = (value: number, digits = 1) => Number(value.toFixed(digits));
const addDays = (day: string, n: number) => new Date(Date.parse(day) + n * DAY_MS).toISOString().slice(0, 10);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { json: { type: 'boolean', default: false }, data: { type: 'string', default: DEFAULT_DATA }, days: { type: 'string', default: '3' }, runs: { type: 'string', default: '40' } },
  });
  const runs = Number(values.runs);
  const dir = mkdtempSync(join(tmpdir(), 'forecourt-stats-bench-'));
  try {
    say(`bench:stats — ${SOURCE_ACKNOWLEDGEMENT}`);
    const { rows } = await readAnonbankFile(values.data);
    const traces = busiestDays(rows, Number(values.days))
      .map(({ day, rows: dayRows }) => toTrace(day, dayRows))
      .sort((a, b) => a.day.localeCompare(b.day));
    const db = openDatabase(dir);
    // Writing the days is the set-up, not what is measured: no fsync per command here.
    db.pragma('synchronous = OFF');
    const backlog = buildBacklog(db, traces);
    say(`1. ${traces.length} busy days through the engine: ${traces.map((t) => `${t.day} ${t.arrivals} tickets`).join(', ')} (${backlog.events} events)`);

    const { config } = loadConfig(['--data-dir', dir], {}, dir);
    config.store.timeZone = TIME_ZONE;
    config.queue.dayStartHour = DAY_START_HOUR;
    const last = traces.at(-1)!;
    // The clock stands at the end of the last busy day: it is "today", folded live.
    let now = new Date(Date.parse(`${addDays(last.day, 1)}T03:00:00+08:00`));
    const ctx = { config, db, log: pino({ level: 'silent' }), now: () => now } as unknown as ExtensionContext;
    const statistics = new Statistics(ctx);
    const rollupMs: number[] = [];
    for (const trace of traces.slice(0, -1)) {
      now = new Date(Date.parse(`${addDays(trace.day, 1)}T05:00:00+08:00`));
      const t0 = performance.now();
      await statistics.start();
      rollupMs.push(performance.now() - t0);
      await statistics.stop();
    }
    now = new Date(Date.parse(`${addDays(last.day, 1)}T03:00:00+08:00`));
    if (businessDay(now, TIME_ZONE, DAY_START_HOUR) !== last.day) throw new Error('the clock is not on the last busy day');
    await statistics.start();
    say(`2. roll-up of a closed busy day: ${rollupMs.map((ms) => `${ms.toFixed(0)} ms`).join(', ')}`);

    // A year of rolled days: the busy days' rows again under each earlier date.
    const rolled = traces.slice(0, -1).map((t) => t.day);
    const copy = db.prepare(`INSERT INTO stats_queue_cut SELECT cut, @to, key, ${statsColumns(db).join(', ')} FROM stats_queue_cut WHERE business_day = @from`);
    const mark = db.prepare('INSERT OR REPLACE INTO stats_day (business_day, rolled_at, tickets, workshop) SELECT @to, rolled_at, tickets, workshop FROM stats_day WHERE business_day = @from');
    const first = addDays(last.day, -364);
    db.transaction(() => {
      let i = 0;
      for (let day = first; day < last.day; day = addDays(day, 1)) {
        if (rolled.includes(day)) continue;
        const from = rolled[i++ % rolled.length]!;
        copy.run({ to: day, from });
        mark.run({ to: day, from });
      }
    })();
    const storedRows = db.prepare('SELECT COUNT(*) FROM stats_queue_cut').pluck().get() as number;
    const tickets = db.prepare('SELECT SUM(tickets) FROM stats_day').pluck().get() as number;
    say(`3. a year: ${first} to ${last.day}, ${storedRows} stored rows, ${tickets + last.arrivals} tickets (today live: ${last.arrivals})`);

    const times: number[] = [];
    const byGrouping: Record<string, number> = {};
    for (const by of STATS_GROUPINGS) {
      const samples: number[] = [];
      for (let r = 0; r < runs; r++) {
        const t0 = performance.now();
        const answer = statistics.queue({ from: first, to: last.day, by });
        samples.push(performance.now() - t0);
        if (answer.total.issued === 0 || !answer.liveDays.includes(last.day)) throw new Error('the year came back empty');
      }
      samples.sort((a, b) => a - b);
      byGrouping[by] = percentile(samples, 99);
      times.push(...samples);
      say(`4. a year per ${by}: p50 ${percentile(samples, 50).toFixed(1)} ms, p99 ${percentile(samples, 99).toFixed(1)} ms`);
    }
    times.sort((a, b) => a - b);
    const liveSamples: number[] = [];
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      statistics.queue({ from: last.day, to: last.day, by: 'hour' });
      liveSamples.push(performance.now() - t0);
    }
    liveSamples.sort((a, b) => a - b);
    say(`5. today alone (folded live, ${last.arrivals} tickets): p50 ${percentile(liveSamples, 50).toFixed(1)} ms, p99 ${percentile(liveSamples, 99).toFixed(1)} ms`);
    await statistics.stop();
    db.close();
    const figures = {
      days: 365,
      tickets: tickets + last.arrivals,
      stats_query_p99_ms_year: round(percentile(times, 99)),
      stats_query_p50_ms_year: round(percentile(times, 50)),
      today_live_p99_ms: round(percentile(liveSamples, 99)),
      rollup_day_ms: round(Math.max(...rollupMs)),
    };
    say(values.json ? JSON.stringify(figures) : `figures: ${JSON.stringify(figures)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The counted columns of stats_queue_cut, after its key, in table order. */
function statsColumns(db: ReturnType<typeof openDatabase>): string[] {
  const columns = (db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('stats_queue_cut') as string[]);
  return columns.filter((c) => !['cut', 'business_day', 'key'].includes(c));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
