/**
 * `npm run bench:store [-- --json] [--trace FILE] [--minutes 3.5] [--speedup 5] [--members 5000] [--seed 1] [--no-readers] [--cpu-prof DIR]`
 *
 * The whole store at once, at `--speedup` × the busiest hour of the Anonymous Bank log
 * (store/load.ts), against the built gateway as its own process (`node GATEWAY_NODE_FLAGS
 * gateway/dist/main.js`, not in demo mode) with every device kind on its real stack
 * (store/devices.ts): 2 dispensers on socat PTYs driven by the dispenser simulator, each with its
 * printer, and 4 kiosk printers, all printer emulators on loopback TCP printing at 150 mm/s;
 * 4 bay barcode scanners on PTYs; the 2 NFC readers of vsmartcard-vpcd through pcscd (kiosk-1's
 * and desk 1's), served by the gateway's own agents. The screens (store/screens.ts) are
 * mqtt.js clients over WebSocket with their own device tokens and the real screens'
 * subscriptions: 20 lounge boards, 4 kiosks, 6 desk consoles (20 Chromiums do not fit on the
 * 2 cores beside everything else; bench:board and bench:tap measure the pages). The people
 * (store/people.ts) take tickets at the kiosks and dispensers, call and finish them at 6 desks
 * by policy, move repair orders, scan at the bays and tap member cards.
 * Before the clock starts each desk calls and finishes 3 tickets of its own (not measured): the
 * gateway's first run of the call path is not one of the run's calls.
 *
 * Figures (the last line with --json):
 * - call_to_board_p99_ms: desk's call-next sent → its call on each of the 20 boards;
 * - stage_to_board_p99_ms: stage command sent → the order's new stage on each board;
 * - button_to_confirmed_p99_ms: dispenser button → the printer's in-order answer after the
 *   ticket (its job's printedAt on print/jobs); print time and the printer's queue included —
 *   `print_overhead_p99_ms` is the same minus what the printer needs (its own print time, after
 *   the ticket before it), bench:print's measure;
 * - tap_to_session_p99_ms: the reader agent's card event → the session on the kiosk's or desk's
 *   screen; null when pcscd or vpcd is missing (said loudly);
 * - gateway_cpu_pct: its CPU time during the load over the load's wall time (100 = one core);
 * - gateway_rss_mb: its peak RSS (VmHWM, start-up included); the last RSS is printed too;
 * - event_loop_lag_p99_ms: from the gateway's /metrics (forecourt_event_loop_lag_seconds,
 *   reset at each scrape: one scrape right before the load, one right after).
 * Beside the load, bench:disk (every 50 ms, its own process, in the gateway's data folder) reports
 * what the disk itself did: `disk_fsync_p99_ms` and `disk_time_over_{25,60,150}ms_pct`, the share
 * of the run during which a commit would have waited longer than each path budget.
 * Exit 1 when something breaks (a device, a lost call or stage, the gateway dying); missed targets are reported, not fatal.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import { readAnonbankFile, SOURCE_ACKNOWLEDGEMENT } from './anonbank.js';
import { provisionAll, staffTokenFor } from './bus-credentials.js';
import { STORE_ID } from './bus-mix.js';
import { freePort } from './bus-mosquitto.js';
import { percentile, procStat } from './figures.js';
import { spawnGateway, stopChild, waitHealthy, watchChild } from './gateway-process.js';
import { DeviceRig } from './store/devices.js';
import { DiskProbe, type DiskFigures } from './store/disk-probe.js';
import { storeLoad, type StoreLoad } from './store/load.js';
import { People, type PlayResult } from './store/people.js';
import { Screens } from './store/screens.js';
import { DESKS, gatewayConfig, prepareStore, screens as storeScreens, SIZE } from './store/setup.js';
import { BenchFailure, runBench } from './run-bench.js';

const TARGETS = { callP99: 25, stageP99: 150, printOverheadP99: 60, tapP99: 150, rssMb: 150, lagP99: 20 };
const DEFAULT_TRACE = resolve(fileURLToPath(new URL('../../../', import.meta.url)), '../shared/data/anonbank-1999-02.tsv');
const DRAIN_MS = 20_000;
/** Calls per desk before the clock starts (people.ts warmUp). */
const WARM_UP_ROUNDS = 3;


const say = (line: string) => process.stdout.write(`${line}\n`);
const round = (value: number, digits = 1) => (Number.isFinite(value) ? Number(value.toFixed(digits)) : null);
const sorted = (list: readonly number[]) => [...list].sort((a, b) => a - b);
const p = (list: readonly number[], q: number) => percentile(sorted(list), q);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * From the gateway's /metrics: forecourt_event_loop_lag_seconds by stat, in ms, since the previous
 * scrape; and where its memory is (V8 heap used and total, external buffers), in MB.
 */
async function scrape(httpBase: string, token: string): Promise<{ lag: Record<string, number>; memoryMb: Record<string, number>; fsyncs: Map<string, number> }> {
  const res = await fetch(`${httpBase}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new BenchFailure(`/metrics answered ${res.status}`);
  const text = await res.text();
  const lag: Record<string, number> = {};
  for (const m of text.matchAll(/^forecourt_event_loop_lag_seconds\{stat="(\w+)"\} (\S+)$/gm)) lag[m[1] ?? ''] = Number(m[2]) * 1000;
  if (lag['p99'] === undefined) throw new BenchFailure('/metrics has no forecourt_event_loop_lag_seconds: is the gateway built from this tree?');
  const memoryMb: Record<string, number> = {};
  for (const name of ['heap_size_used', 'heap_size_total', 'external_memory']) {
    memoryMb[name] = Number(new RegExp(`^forecourt_nodejs_${name}_bytes (\\S+)$`, 'm').exec(text)?.[1] ?? NaN) / 2 ** 20;
  }
  // The group commit's fsyncs so far, by bucket (cumulative: how many took at most `le` seconds).
  const fsyncs = new Map<string, number>();
  for (const m of text.matchAll(/^forecourt_commit_fsync_seconds_bucket\{le="([^"]+)"\} (\S+)$/gm)) fsyncs.set(m[1] ?? '', Number(m[2]));
  return { lag, memoryMb, fsyncs };
}

/**
 * The run's load from the log. The month's rows (33,000 of them) are not kept: held for the whole
 * run they made this process's major GCs longer, and its pauses land in every figure it measures.
 */
async function loadOf(trace: string, opts: Parameters<typeof storeLoad>[1]): Promise<StoreLoad> {
  const { rows } = await readAnonbankFile(trace);
  return storeLoad(rows, opts);
}

/** bench:disk's figures, named as the disk's. */
function diskFigures(disk: DiskFigures): Record<string, unknown> {
  const keys = ['fsync_p99_ms', 'fsync_max_ms', ...Object.keys(disk).filter((k) => k.startsWith('time_over_'))];
  return Object.fromEntries(keys.map((k) => [`disk_${k}`, disk[k]]));
}

/** The fsyncs taken between two scrapes, and how many of them took longer than each bucket's bound. */
function fsyncsBetween(before: Map<string, number>, after: Map<string, number>): string {
  const all = (after.get('+Inf') ?? 0) - (before.get('+Inf') ?? 0);
  const over = ['0.005', '0.02', '0.05', '0.1'].map((le) => `${Number(le) * 1000} ms: ${all - ((after.get(le) ?? 0) - (before.get(le) ?? 0))}`);
  return `${all} group-commit fsyncs, longer than ${over.join(', ')}`;
}

async function until(done: () => boolean, ms: number): Promise<void> {
  const deadline = performance.now() + ms;
  while (!done() && performance.now() < deadline) await sleep(50);
}

/** Button → confirmed per dispenser ticket, and the same minus what its printer itself needed. */
function printFigures(played: PlayResult, screens: Screens, rig: DeviceRig): { totalMs: number[]; overheadMs: number[]; unconfirmed: number } {
  const totalMs: number[] = [];
  const overheadMs: number[] = [];
  let unconfirmed = 0;
  for (const press of played.presses) {
    const confirmedAt = screens.printed.get(`${press.printer}|${press.number}`);
    if (confirmedAt === undefined) {
      unconfirmed += 1;
      continue;
    }
    totalMs.push(confirmedAt - press.pressedAt);
    const pages = rig.printers.get(press.printer)?.printed ?? [];
    const k = pages.findIndex((page) => page.ending === 'cut' && !page.continued && new RegExp(`^${press.number}$`, 'm').test(page.text));
    const page = pages[k];
    if (!page) continue;
    const printerFree = Math.max(press.pressedAt, pages[k - 1]?.at.getTime() ?? 0);
    overheadMs.push(confirmedAt - printerFree - page.printMs);
  }
  return { totalMs, overheadMs, unconfirmed };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      trace: { type: 'string', default: DEFAULT_TRACE },
      minutes: { type: 'string', default: '3.5' },
      speedup: { type: 'string', default: '5' },
      members: { type: 'string', default: '5000' },
      seed: { type: 'string', default: '1' },
      'no-readers': { type: 'boolean', default: false },
      'cpu-prof': { type: 'string' },
    },
    strict: true,
  });
  const [minutes, speedup, members, seed] = [Number(values.minutes), Number(values.speedup), Number(values.members), Number(values.seed)];
  if (!(minutes > 0)) throw new BenchFailure('--minutes must be a number above 0');
  if (!(speedup > 0)) throw new BenchFailure('--speedup must be a number above 0');
  if (!Number.isInteger(members) || members < 1) throw new BenchFailure('--members must be a positive whole number');

  say(`bench:store — ${SOURCE_ACKNOWLEDGEMENT}`);
  const load = await loadOf(values.trace, { speedup, maxMs: minutes * 60_000, kiosks: SIZE.kiosks, dispensers: SIZE.dispensers, bays: SIZE.bays, seed });
  const tickets = load.arrivals.length;
  say(`load: the busiest hour of the log (${load.hour.toISOString()}, ${load.contacts} contacts) at ${speedup}×, for ${(load.durationMs / 1000).toFixed(0)} s: ${tickets} tickets (${load.arrivals.filter((a) => a.channel.kind === 'kiosk').length} at kiosks, the rest at dispenser buttons), ${load.stageMoves.length} stage commands, ${load.scans.flat().length} scan pairs, ${load.taps.flat().length} card taps`);
  say(`machine: ${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} before the start (shared with other work)`);

  const dir = mkdtempSync(join(tmpdir(), 'forecourt-bench-store-'));
  const dataDir = join(dir, 'data');
  let rig: DeviceRig | undefined;
  let screens: Screens | undefined;
  let gateway: ReturnType<typeof spawnGateway> | undefined;
  let diskProbe: DiskProbe | undefined;
  try {
    rig = await DeviceRig.start(dir, { dispensers: SIZE.dispensers, kioskPrinters: SIZE.kiosks, bays: SIZE.bays }, !values['no-readers']);
    if (rig.noReaders) {
      const line = '!'.repeat(78);
      say(`${line}\n!! NO CARD READERS: ${rig.noReaders}.\n!! tap_to_session_p99_ms will be null.\n${line}`);
    }
    const workshop = prepareStore(dataDir, members);
    const ports = { http: await freePort(), mqtt: await freePort() };
    const configFile = join(dir, 'forecourt.config.json');
    writeFileSync(configFile, JSON.stringify(gatewayConfig(dataDir, ports, rig)));
    const members_ = storeScreens();
    // Through Identity on the data directory, as the CLIs write them (bench:bus runs the CLIs).
    const creds = await provisionAll(dataDir, members_, STORE_ID, { useCli: false });
    const workshopToken = await staffTokenFor(dataDir, 'workshop-controller', STORE_ID, { useCli: false });
    const managerToken = await staffTokenFor(dataDir, 'manager', STORE_ID, { useCli: false });
    say(`setup: ${members} members, ${workshop.moved.length + workshop.bays.flat().length + 20} repair orders; ${creds.logins.size} screens provisioned with device tokens, staff tokens: receptionist (desks), workshop controller, manager (/metrics)`);

    const profDir = values['cpu-prof'] ? resolve(values['cpu-prof']) : undefined;
    gateway = spawnGateway(configFile, process.env, profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : []);
    const out = watchChild(gateway, 'the gateway', Boolean(process.env['STORE_DEBUG']));
    const httpBase = `http://127.0.0.1:${ports.http}`;
    await waitHealthy(httpBase, gateway, out.tail);
    screens = await Screens.connect(`ws://127.0.0.1:${ports.http}/mqtt`, members_, creds.logins);
    const warmUp = await rig.attach();
    say(`gateway: pid ${gateway.pid}, healthy; ${members_.length} screens connected over WebSocket; dispensers said HELLO and printed ${warmUp.length} warm-up tickets; RSS ${procStat(gateway.pid).rssMb.toFixed(1)} MB`);

    const kioskTokens = new Map([...creds.logins].filter(([id]) => id.startsWith('kiosk-')).map(([id, login]) => [id, login.password]));
    const people = new People(load, rig, screens, { httpBase, deskToken: creds.staffToken, workshopToken, kioskTokens }, DESKS, workshop, members);
    const warmCalls = await people.warmUp(WARM_UP_ROUNDS);
    say(`warm-up (not measured): each desk called and finished ${WARM_UP_ROUNDS} tickets, ${warmCalls} calls`);
    const { fsyncs: fsyncsBefore } = await scrape(httpBase, managerToken);
    const benchLag = monitorEventLoopDelay({ resolution: 10 });
    benchLag.enable();
    // This process's own pauses land in every figure measured here (the screens run in it).
    const benchGc: number[] = [];
    const gcWatch = new PerformanceObserver((list) => list.getEntries().forEach((e) => benchGc.push(e.duration)));
    gcWatch.observe({ entryTypes: ['gc'] });
    diskProbe = new DiskProbe(dataDir);
    diskProbe.start();
    const before = { gateway: procStat(gateway.pid), bench: procStat(process.pid) };
    const t0 = performance.now();
    screens.start();
    const played = await people.play();
    await until(() => screens?.outstanding() === 0 && played.presses.every((x) => screens?.printed.has(`${x.printer}|${x.number}`)), DRAIN_MS);
    const wallS = (performance.now() - t0) / 1000;
    const disk = await diskProbe.stop();
    const { lag, memoryMb, fsyncs: fsyncsAfter } = await scrape(httpBase, managerToken);
    const after = { gateway: procStat(gateway.pid), bench: procStat(process.pid) };
    const cpuPct = ((after.gateway.cpuS - before.gateway.cpuS) / wallS) * 100;
    const waitedPct = (side: 'gateway' | 'bench') => ((after[side].waitS - before[side].waitS) / wallS) * 100;
    screens.stop();
    benchLag.disable();
    gcWatch.disconnect();
    const rss = procStat(gateway.pid);
    const died = out.died();
    if (died) throw new BenchFailure(died);

    const { callMs, stageMs, missingCalls, missingStages } = screens.results();
    const print = printFigures(played, screens, rig);
    const tapMs = screens.tapMs;
    const noTaps = rig.readers.length === 0;
    const figures = {
      tickets: played.tickets.kiosk + played.tickets.dispenser,
      call_to_board_p99_ms: round(p(callMs, 99), 2),
      stage_to_board_p99_ms: round(p(stageMs, 99), 2),
      button_to_confirmed_p99_ms: round(p(print.totalMs, 99)),
      tap_to_session_p99_ms: noTaps ? null : round(p(tapMs, 99)),
      gateway_cpu_pct: round(cpuPct),
      gateway_rss_mb: round(rss.peakMb),
      event_loop_lag_p99_ms: round(lag['p99'] ?? NaN, 2),
    };
    const line = (name: string, list: readonly number[], digits = 1) =>
      `${name}: n=${list.length}, p50 ${p(list, 50).toFixed(digits)} ms, p99 ${p(list, 99).toFixed(digits)} ms, max ${(sorted(list).at(-1) ?? NaN).toFixed(digits)} ms`;
    say(`ran ${wallS.toFixed(1)} s: ${figures.tickets} tickets (${played.tickets.kiosk} kiosk, ${played.tickets.dispenser} dispenser), desks served ${played.served} and marked ${played.noShows} no-shows; ${played.stageMoves} stage commands, ${played.scans} scans, ${played.taps} taps`);
    say(`  ${line('call → 20 boards', callMs, 2)}${missingCalls ? `; MISSING ${missingCalls}` : ''}`);
    say(`  ${line('stage command → 20 boards', stageMs, 2)}${missingStages ? `; MISSING ${missingStages}` : ''}`);
    say(`  ${line('button → printer confirmed', print.totalMs)}${print.unconfirmed ? `; UNCONFIRMED ${print.unconfirmed}` : ''}`);
    say(`  ${line('  of which beyond the printer (print overhead)', print.overheadMs)}`);
    say(`  ${noTaps ? `card taps: none (${rig.noReaders})` : line('card event → session on the screen', tapMs)}${screens.tapProblems.length ? `; ${screens.tapProblems.length} not greeted, first ${screens.tapProblems[0]}` : ''}`);
    say(`  gateway: CPU ${cpuPct.toFixed(1)} % of one core over the run, RSS peak ${rss.peakMb.toFixed(1)} MB, last ${rss.rssMb.toFixed(1)} MB (anonymous ${rss.anonMb.toFixed(1)}, file ${rss.fileMb.toFixed(1)}; V8 heap ${memoryMb['heap_size_used']?.toFixed(1)} MB used of ${memoryMb['heap_size_total']?.toFixed(1)}, external ${memoryMb['external_memory']?.toFixed(1)}; ${rss.threads} threads); event loop lag p50 ${(lag['p50'] ?? NaN).toFixed(2)} ms, p99 ${(lag['p99'] ?? NaN).toFixed(2)} ms, max ${(lag['max'] ?? NaN).toFixed(1)} ms`);
    say(`  this process (all clients and devices): CPU ${(((after.bench.cpuS - before.bench.cpuS) / wallS) * 100).toFixed(1)} %, event loop lag p99 ${Math.max(0, benchLag.percentile(99) / 1e6 - 10).toFixed(1)} ms, max ${(benchLag.max / 1e6).toFixed(1)} ms; ${benchGc.length} GC pauses, ${benchGc.reduce((a, b) => a + b, 0).toFixed(0)} ms in all, longest ${Math.max(0, ...benchGc).toFixed(1)} ms`);
    say(`  the disk: ${fsyncsBetween(fsyncsBefore, fsyncsAfter)} (the gateway's forecourt_commit_fsync_seconds; every output after a write waits for one)`);
    say(
      `  the disk on its own (bench:disk alongside, ${disk['fsyncs']} fsyncs): p99 ${disk['fsync_p99_ms']} ms, max ${disk['fsync_max_ms']} ms; a commit made at a random moment waited over ` +
        `${TARGETS.callP99} ms ${disk[`time_over_${TARGETS.callP99}ms_pct`]} %, over ${TARGETS.printOverheadP99} ms ${disk[`time_over_${TARGETS.printOverheadP99}ms_pct`]} %, ` +
        `over ${TARGETS.stageP99} ms ${disk[`time_over_${TARGETS.stageP99}ms_pct`]} % of the time (over 1 %, no durable path can meet that p99 on this disk)`,
    );
    say(`  the machine: load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}; ready to run but waiting for a CPU: the gateway's event loop ${waitedPct('gateway').toFixed(1)} % of the run, this process's ${waitedPct('bench').toFixed(1)} %`);
    const errors = [...played.errors, ...screens.problems];
    if (errors.length > 0) say(`  ${errors.length} errors, first: ${errors.slice(0, 3).join(' | ')}`);
    const verdict = (value: number | null, target: number) => (value === null ? 'n/a' : value <= target ? 'met' : 'NOT MET');
    say(
      `targets: call p99 ≤ ${TARGETS.callP99} ms ${verdict(figures.call_to_board_p99_ms, TARGETS.callP99)}; stage p99 ≤ ${TARGETS.stageP99} ms ${verdict(figures.stage_to_board_p99_ms, TARGETS.stageP99)}; ` +
        `print overhead p99 ≤ ${TARGETS.printOverheadP99} ms ${verdict(round(p(print.overheadMs, 99)), TARGETS.printOverheadP99)}; tap p99 ≤ ${TARGETS.tapP99} ms ${verdict(figures.tap_to_session_p99_ms, TARGETS.tapP99)}; ` +
        `RSS ≤ ${TARGETS.rssMb} MB ${verdict(figures.gateway_rss_mb, TARGETS.rssMb)}; event loop lag p99 ≤ ${TARGETS.lagP99} ms ${verdict(figures.event_loop_lag_p99_ms, TARGETS.lagP99)}`,
    );
    const rssBreakdown = { anon: round(rss.anonMb), file: round(rss.fileMb), heap_used: round(memoryMb['heap_size_used'] ?? NaN), heap_total: round(memoryMb['heap_size_total'] ?? NaN), external: round(memoryMb['external_memory'] ?? NaN) };
    if (values.json) say(JSON.stringify({ ...figures, print_overhead_p99_ms: round(p(print.overheadMs, 99)), gateway_rss_mb_last: round(rss.rssMb), gateway_rss_last_breakdown_mb: rssBreakdown, gateway_threads: rss.threads, event_loop_lag_max_ms: round(lag['max'] ?? NaN), wall_s: round(wallS), load_average_1m: round(loadavg()[0] ?? NaN, 2), gateway_cpu_wait_pct: round(waitedPct('gateway')), ...diskFigures(disk) }));
    if (missingCalls + missingStages + print.unconfirmed > 0 || errors.length > 0) throw new BenchFailure('calls, stages or tickets were lost, or clients failed (see above)');
  } finally {
    diskProbe?.close();
    await screens?.close();
    await stopChild(gateway);
    await rig?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

runBench('bench:store', main);
