/**
 * `npm run bench:relay [-- --json] [--days 7] [--data FILE] [--batch 200]`
 *
 * Head office away for a busy store's week, then back:
 * 1. Backlog: the `--days` busiest business days of the Anonymous Bank log (bench:queue's trace)
 *    are written into a fresh store database as the gateway writes them while the DMS is down:
 *    every desk and kiosk command through the queue engine and the audit log in one transaction,
 *    with its outbox rows. Each command's outbox writes are timed (outbox_write_overhead_us_p99).
 * 2. Drain: the gateway (a separate process, `node gateway/dist/main.js`, not in demo mode)
 *    starts on that database with `relay.http` pointing at the DMS simulator on loopback, which
 *    stores what it receives after dedupe. Timed from the first batch the simulator receives to
 *    the one after which it holds every seq, over the events after the first batch (the relay
 *    starts before /healthz answers: a loaded machine drained a small backlog before it did).
 *    The gateway's peak RSS is its VmHWM at the end.
 * 3. Retention: with the gateway stopped, the relay's retention pass (relay/retention.ts, run
 *    once a minute in the gateway) on that outbox, all of it acknowledged, with retentionDays = 30
 *    (the busiest days span most of the month) and the clock an hour after the last event: as at
 *    steady state, nothing to purge, and the pass must not read the whole outbox to find that out.
 *    The first pass after a start reads every row once (retention_first_run_ms); the 10 after it,
 *    each after a minute's worth of new events (20), are timed (retention_run_p99_ms).
 * lost = seqs of the outbox the simulator never stored; duplicates_after_dedupe = seqs it stored
 * more than once. Human-readable lines first; with --json the last line is one JSON object.
 * Exit 1 when the drain does not complete.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Logger } from 'pino';
import { performance } from 'node:perf_hooks';
import { RelayConfig } from '../config/relay.js';
import { OutboxRetention } from '../relay/retention.js';
import { openDatabase } from '../store/database.js';
import { Outbox } from '../store/outbox.js';
import { DmsSimulator } from '../tools/dms-simulator/index.js';
import { busiestDays, readAnonbankFile, SOURCE_ACKNOWLEDGEMENT, toTrace } from './anonbank.js';
import { GATEWAY_ENV, GATEWAY_NODE_FLAGS, percentile, procStat } from './figures.js';
import { freePort, waitForPort } from './bus-mosquitto.js';
import { stopChild } from './gateway-process.js';
import { buildBacklog } from './relay-backlog.js';
import { BenchFailure, runBench } from './run-bench.js';

const TARGET_DRAIN_PER_S = 2000;
const TARGET_OVERHEAD_US = 200;
const TARGET_RSS_MB = 150;
const STORE_ID = 'bench-store';
const TOKEN = 'bench-dms-token';
const DRAIN_TIMEOUT_MS = 10 * 60_000;
/** Longer than the span of the busiest days, so that the retention pass has nothing to purge. */
const RETENTION_DAYS = 30;
const GATEWAY_MAIN = fileURLToPath(new URL('../main.js', import.meta.url));
const DEFAULT_DATA = resolve(fileURLToPath(new URL('../../../', import.meta.url)), '../shared/data/anonbank-1999-02.tsv');

const say = (line: string) => process.stdout.write(`${line}\n`);
const round = (value: number, digits = 1) => Number(value.toFixed(digits));

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { json: { type: 'boolean', default: false }, days: { type: 'string', default: '7' }, data: { type: 'string', default: DEFAULT_DATA }, batch: { type: 'string', default: '200' } },
  });
  const days = Number(values.days);
  const dir = mkdtempSync(join(tmpdir(), 'forecourt-relay-bench-'));
  const dataDir = join(dir, 'data');
  // When each batch arrived and how many new events it stored: the first starts the drain's clock,
  // the one that completes the backlog stops it (a redelivery after it does not count).
  const batches: { at: number; stored: number }[] = [];
  const simulator = new DmsSimulator({ token: TOKEN, onBatch: ({ verdict }) => batches.push({ at: performance.now(), stored: verdict.stored }) });
  let gateway: ReturnType<typeof spawn> | undefined;
  try {
    say(`bench:relay — ${SOURCE_ACKNOWLEDGEMENT}`);
    const { rows } = await readAnonbankFile(values.data);
    const traces = busiestDays(rows, days).map(({ day, rows: dayRows }) => toTrace(day, dayRows));
    say(`1. backlog: ${traces.length} busiest days (${traces.map((t) => `${t.day} ${t.arrivals} tickets`).join(', ')}) while the DMS is down`);
    const db = openDatabase(dataDir);
    const t0 = performance.now();
    const backlog = buildBacklog(db, traces);
    const buildS = (performance.now() - t0) / 1000;
    const outboxMb = (db.prepare('SELECT SUM(length(data)) FROM outbox').pluck().get() as number) / 1e6;
    const sent = new Map((db.prepare('SELECT seq, event_id AS eventId FROM outbox').all() as { seq: number; eventId: string }[]).map((r) => [r.seq, r.eventId]));
    db.close();
    const overhead = [...backlog.overheadUs].sort((a, b) => a - b);
    say(`   ${backlog.commands} commands → ${backlog.events} events in ${buildS.toFixed(1)} s; event data ${outboxMb.toFixed(1)} MB (${(outboxMb / days).toFixed(1)} MB a day)`);
    say(`   outbox writes per command: p50 ${percentile(overhead, 50).toFixed(1)} µs, p99 ${percentile(overhead, 99).toFixed(1)} µs, max ${(overhead.at(-1) ?? NaN).toFixed(1)} µs`);

    const dmsUrl = await simulator.listen(0, '127.0.0.1');
    const [httpPort, mqttPort] = [await freePort(), await freePort()];
    const configFile = join(dir, 'forecourt.config.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        store: { id: STORE_ID },
        http: { host: '127.0.0.1', port: httpPort },
        mqtt: { host: '127.0.0.1', port: mqttPort },
        dataDir,
        demo: false,
        log: { level: 'warn' },
        relay: { http: { url: dmsUrl, token: TOKEN, batchSize: Number(values.batch), syncEverySeconds: 0 }, pollMs: 50 },
      }),
    );
    say(`2. drain: gateway on ${dataDir}, DMS simulator at ${dmsUrl}, batches of ${values.batch}`);
    gateway = spawn(process.execPath, [...GATEWAY_NODE_FLAGS, GATEWAY_MAIN, '--config', configFile], { env: { ...GATEWAY_ENV, ...process.env }, stdio: ['ignore', 'ignore', 'inherit'] });
    const alive = () => gateway?.exitCode === null;
    await waitForPort(httpPort, 30_000, alive);
    const started = performance.now();
    await waitHealthy(httpPort, alive);
    say(`   gateway healthy: RSS ${procStat(gateway.pid).rssMb.toFixed(1)} MB`);
    while (simulator.counters(STORE_ID).stored < backlog.events) {
      if (!alive()) throw new Error(`the gateway exited (${gateway.exitCode}) during the drain`);
      if (performance.now() - started > DRAIN_TIMEOUT_MS) throw new Error(`the drain did not finish in ${DRAIN_TIMEOUT_MS / 1000} s`);
      await new Promise((r) => setTimeout(r, 20));
    }
    let total = 0;
    const lastBatch = batches.find((b) => (total += b.stored) >= backlog.events);
    const firstBatch = batches[0];
    if (!firstBatch || !lastBatch || lastBatch === firstBatch) throw new BenchFailure('the backlog came in one batch: too small to time its drain (more --days or a smaller --batch)');
    const drainS = (lastBatch.at - firstBatch.at) / 1000;
    const drained = backlog.events - firstBatch.stored;
    const rss = procStat(gateway.pid);
    // What head office holds after dedupe, checked against what the store wrote: an event is lost
    // when its eventId is missing, and stored twice when it is there more than once or under a seq
    // that was not its own.
    const stored = simulator.received(STORE_ID);
    const storedIds = new Set(stored.map((e) => e.eventId));
    const lost = [...sent.values()].filter((id) => !storedIds.has(id)).length;
    const duplicates = stored.length - storedIds.size + stored.filter((e) => sent.get(e.seq) !== e.eventId).length;
    await stopChild(gateway);
    const retention = timeRetention(dataDir);
    const figures = {
      backlog_events: backlog.events,
      drain_events_per_s: Math.round(drained / drainS),
      outbox_write_overhead_us_p99: round(percentile(overhead, 99)),
      lost,
      duplicates_after_dedupe: duplicates,
      gateway_rss_mb_peak: round(rss.peakMb),
      retention_first_run_ms: round(retention.firstMs),
      retention_run_p99_ms: round(percentile(retention.laterMs, 99)),
    };
    say(`   drained ${backlog.events} events: ${drained} after the first batch in ${drainS.toFixed(2)} s (${figures.drain_events_per_s}/s); the simulator dropped ${simulator.duplicatesDropped(STORE_ID)} redelivered events`);
    say(`   gateway RSS ${rss.rssMb.toFixed(1)} MB now, peak ${rss.peakMb.toFixed(1)} MB; CPU ${rss.cpuS.toFixed(1)} s`);
    say(`3. retention pass on the acknowledged outbox (nothing old enough to purge; on the gateway's event loop once a minute): the first after a start ${figures.retention_first_run_ms} ms, the ${retention.laterMs.length} after it p50 ${percentile(retention.laterMs, 50).toFixed(2)} ms, p99 ${figures.retention_run_p99_ms} ms`);
    const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
    say(`targets: drain ≥ ${TARGET_DRAIN_PER_S}/s ${verdict(figures.drain_events_per_s >= TARGET_DRAIN_PER_S)}; overhead p99 ≤ ${TARGET_OVERHEAD_US} µs ${verdict(figures.outbox_write_overhead_us_p99 <= TARGET_OVERHEAD_US)}; lost 0 ${verdict(lost === 0)}; duplicates 0 ${verdict(duplicates === 0)}; RSS ≤ ${TARGET_RSS_MB} MB ${verdict(figures.gateway_rss_mb_peak <= TARGET_RSS_MB)}`);
    if (values.json) say(JSON.stringify(figures));
  } finally {
    await stopChild(gateway);
    await simulator.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The relay's retention pass on the drained outbox, its clock an hour after the last event: the
 * first run, then 10 more, each after 20 new acknowledged events (a busy minute's).
 */
function timeRetention(dataDir: string): { firstMs: number; laterMs: number[] } {
  const db = openDatabase(dataDir);
  try {
    const outbox = new Outbox(db);
    const last = db.prepare('SELECT MAX(at) FROM outbox').pluck().get() as string;
    const now = () => new Date(Date.parse(last) + 3600_000);
    const quiet = { info: () => undefined, error: () => undefined } as unknown as Logger;
    const retention = new OutboxRetention(outbox, RelayConfig.parse({ retentionDays: RETENTION_DAYS }), ['http'], now, quiet);
    const timed = () => {
      const t = performance.now();
      const { purged } = retention.run();
      if (purged !== 0) throw new BenchFailure(`the retention pass purged ${purged} events younger than ${RETENTION_DAYS} days`);
      return performance.now() - t;
    };
    const firstMs = timed();
    const laterMs: number[] = [];
    for (let i = 0; i < 10; i++) {
      db.transaction(() => {
        for (let e = 0; e < 20; e++) outbox.append({ type: 'audit.bench', aggregate: { type: 'audit', id: 'audit' }, at: last, schema: 'forecourt.audit/1', data: { minute: i, event: e } });
      })();
      outbox.ack('http', outbox.lastSeq(), last);
      laterMs.push(timed());
    }
    return { firstMs, laterMs: laterMs.sort((a, b) => a - b) };
  } finally {
    db.close();
  }
}

async function waitHealthy(port: number, alive: () => boolean): Promise<void> {
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
    if (ok) return;
    if (!alive()) throw new Error('the gateway exited before it was healthy');
    await new Promise((r) => setTimeout(r, 20));
  }
}

runBench('bench:relay', main);
