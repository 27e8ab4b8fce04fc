/**
 * `npm run eta:eval -- [--trace FILE] [--from DAY] [--to DAY] [--days N] [--score-from DAY] [--json]`
 *
 * How well the store's waiting-time estimates hold on a real queue: replays a trace in the format
 * of the Anonymous Bank log (default ../shared/data/anonbank-1999-02.tsv beside the repository)
 * through the queue engine (eta-replay.ts) and scores each ticket's estimate at its issue against
 * the wait the caller really had. `--from`/`--to` keep business days (YYYY-MM-DD) in that range,
 * `--days` the first N of them; the estimator starts cold at the first day kept. `--score-from`
 * scores only the days from then on, the earlier ones having been learnt from: a store that has
 * run for a while. Prints tables per service
 * type, hour, priority and day, then the figures; with --json the last line is one JSON object of them.
 * Same trace and options, same figures.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SOURCE_ACKNOWLEDGEMENT, readAnonbankFile, rowBusinessDay, serviceOfType } from './anonbank.js';
import { etaFigures, etaFiguresBy, type EtaFigures } from './eta-figures.js';
import { replayEta, type ScoredTicket } from './eta-replay.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DEFAULT_TRACE = resolve(REPO_ROOT, '../shared/data/anonbank-1999-02.tsv');
const DAY = /^\d{4}-\d{2}-\d{2}$/;

function fail(message: string): never {
  console.error(`eta:eval: ${message}`);
  process.exit(2);
}

function table(title: string, rows: [string, EtaFigures][]): void {
  console.log(`\n${title}`);
  console.log(`  ${'group'.padEnd(16)} ${'n'.padStart(6)} ${'mae_s'.padStart(7)} ${'base_s'.padStart(7)} ${'ratio'.padStart(6)} ${'bias_s'.padStart(7)} ${'p90_s'.padStart(7)} ${'cover80'.padStart(8)}`);
  for (const [group, f] of rows) {
    const ratio = f.baseline_mae_s > 0 ? (f.mae_s / f.baseline_mae_s).toFixed(2) : '-';
    console.log(
      `  ${group.padEnd(16)} ${String(f.n).padStart(6)} ${f.mae_s.toFixed(1).padStart(7)} ${f.baseline_mae_s.toFixed(1).padStart(7)} ${ratio.padStart(6)} ${f.bias_s.toFixed(1).padStart(7)} ${f.p90_abs_err_s.toFixed(1).padStart(7)} ${f.interval80_coverage.toFixed(3).padStart(8)}`,
    );
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      trace: { type: 'string', default: DEFAULT_TRACE },
      from: { type: 'string' },
      to: { type: 'string' },
      days: { type: 'string' },
      'score-from': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const scoreFrom = values['score-from'];
  for (const [name, day] of [['from', values.from], ['to', values.to], ['score-from', scoreFrom]] as const) {
    if (day !== undefined && !DAY.test(day)) fail(`--${name} wants a business day YYYY-MM-DD, got "${day}"`);
  }
  const days = values.days === undefined ? Infinity : Number(values.days);
  if (!(Number.isInteger(days) || days === Infinity) || days < 1) fail(`--days wants a positive whole number, got "${values.days}"`);

  const trace = resolve(values.trace);
  const parsed = await readAnonbankFile(trace).catch((err: unknown) => fail(`cannot read ${trace}: ${(err as Error).message}`));
  const inRange = (day: string) => (values.from === undefined || day >= values.from) && (values.to === undefined || day <= values.to);
  const kept = [...new Set(parsed.rows.map(rowBusinessDay).filter(inRange))].sort().slice(0, days);
  if (kept.length === 0) fail('no business day of the trace is in the range asked');
  const keptDays = new Set(kept);
  const rows = parsed.rows.filter((row) => keptDays.has(rowBusinessDay(row)));

  console.log(SOURCE_ACKNOWLEDGEMENT);
  console.log(`trace ${trace}: ${parsed.rows.length} contacts (${parsed.phantom} phantom and ${parsed.malformed} malformed rows skipped)`);
  console.log(`replaying business days ${kept[0]} to ${kept.at(-1)} (${kept.length}): ${rows.length} contacts`);
  const started = performance.now();
  const scored: ScoredTicket[] = replayEta(rows).filter((t) => scoreFrom === undefined || t.day >= scoreFrom);
  const scoredFrom = scoreFrom === undefined ? '' : ` on business days from ${scoreFrom}`;
  console.log(`replayed in ${((performance.now() - started) / 1000).toFixed(1)} s; scored: ${scored.length} calls that queued and were served${scoredFrom}`);
  if (scored.length === 0) fail('no call to score');

  table('per service type (log type → store service)', etaFiguresBy(scored, (t) => `${t.type} ${serviceOfType(t.type)}`));
  table('per hour of issue', etaFiguresBy(scored, (t) => `${String(t.hour).padStart(2, '0')}:00`));
  table('per priority', etaFiguresBy(scored, (t) => t.priority));
  table('per business day (the estimator starts cold on the first)', etaFiguresBy(scored, (t) => t.day));

  const figures = etaFigures(scored);
  console.log(
    `\nestimate: MAE ${figures.mae_s} s (baseline ${figures.baseline_mae_s} s, ratio ${(figures.mae_s / figures.baseline_mae_s).toFixed(2)}; target ≤ 0.70), p90 abs error ${figures.p90_abs_err_s} s, bias ${figures.bias_s} s, 80 % interval coverage ${figures.interval80_coverage} (target 0.75-0.85)`,
  );
  if (values.json) console.log(JSON.stringify(figures));
}

await main();
