/**
 * `npm run bench:bus [-- --json] [--hour-s 60] [--sat-hours 5] [--members 5000] [--screens 20] [--only aedes|mosquitto] [--seed 1]`
 *
 * The store's topic mix through the gateway's broker (aedes, with device authentication and the
 * topic ACLs on), and the same clients through a real Mosquitto 2 with the same logins (a
 * password file hashed by mosquitto_passwd) and an ACL file generated from the gateway's own rule
 * table. Both stores start from the same SQLite content (members, the day's repair orders, a
 * waiting queue) and get exactly the same messages (a seeded plan).
 *
 * The mix (bus-mix.ts; a busy hour of a large 4S store): 21 devices on MQTT over TCP — NFC
 * readers at 4 kiosks and 4 desks publishing taps (`device/{id}/tap`, QoS 1, real member cards),
 * 8 bay scanners publishing job-card + action scans (`device/{id}/scan`, QoS 1), 2 dispensers and
 * 3 printers; every device publishes heartbeats (`device/{id}/heartbeat`, QoS 0, every 10 s) and
 * state changes (`device/{id}/state`, QoS 1, retained) — and 20 screens on MQTT over WebSocket
 * with the real screens' subscriptions: 12 lounge boards (queue/calls, queue/call,
 * queue/services, queue/mode, workshop/board[/changes]), 4 kiosks (queue/services, queue/mode,
 * their own kiosk/{id}/session) and 4 desk consoles (queue/*, workshop board, device/+/state,
 * their desk/{n}/session, print/jobs).
 *
 * Why the screens' messages are produced the way they are (the fair fan-out): what screens
 * receive in a store is published by the gateway itself — queue snapshots and call events after
 * HTTP commands, board changes after bay scans, greetings after taps — and on the gateway those
 * topics are closed to clients. So both sides are driven the store's way: the desks send real
 * HTTP queue commands (issue at the kiosk, call-next and finish at the desk) and the devices
 * publish; on the gateway its extensions answer in-process, and on Mosquitto a stand-in
 * (bus-standin.ts) answers: the gateway's very extensions, SQLite stores and HTTP stack, run as
 * one MQTT client of Mosquitto — the architecture the store would have with an external broker.
 * What differs is only the broker and where it sits. (A device-published topic alone, e.g.
 * `device/+/state` to the desks, is measured too, but it is a small part of what screens get.)
 *
 * Two runs per broker after a short warm-up: a fixed message count at a realistic rate (one busy
 * hour of the plan in `--hour-s` seconds, random arrivals), for latency; and `--sat-hours` busy
 * hours as fast as every source goes (each device waits only for its PUBACK, each desk for its
 * HTTP answer, each bay for its result), for msgs/s. Latency is end to end per timed message
 * (bus-fleet.ts lists the five kinds); msgs/s counts device publishes accepted plus deliveries to
 * the clients. The gateway's RSS is read from /proc/<pid>/status at the end.
 * Human-readable lines first; with --json the last line is one JSON object of the figures.
 * Exit 1 when a broker cannot be started or messages go missing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { DevicePrincipal } from '../protocol/index.js';
import { provisionAll, type Credentials } from './bus-credentials.js';
import { Fleet, LATENCY_CLASSES, type PhaseResult, type Target } from './bus-fleet.js';
import { benchConfig, BUSY_HOUR, DEFAULT_SIZE, plan, population, prepareStore, STORE_ID, widen, type Chain, type Population } from './bus-mix.js';
import { freePort, MOSQUITTO, startMosquitto, waitForPort } from './bus-mosquitto.js';

const TARGET_RATIO = 0.8;
const TARGET_P99_MS = 10;
const TARGET_RSS_MB = 150;
/** Parallel chains per source in the saturating run (bus-mix.ts widen). */
const SATURATING_WAYS = 8;
const GATEWAY_MAIN = fileURLToPath(new URL('../main.js', import.meta.url));
const STANDIN_MAIN = fileURLToPath(new URL('./bus-standin.js', import.meta.url));

class BenchFailure extends Error {}

const say = (line: string) => process.stdout.write(`${line}\n`);
const round = (value: number, digits = 2) => Number(value.toFixed(digits));

/** Nearest-rank percentile of an ascending list; NaN when empty. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? NaN;
}

interface ProcStat {
  rssMb: number;
  peakMb: number;
  cpuS: number;
}

/** VmRSS / VmHWM and user+system CPU seconds of a process, from /proc. */
function procStat(pid: number | undefined): ProcStat {
  if (pid === undefined) return { rssMb: NaN, peakMb: NaN, cpuS: NaN };
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat (12 and 13 after the name), in clock ticks (100/s on Linux).
    const cpuS = (Number(fields[11]) + Number(fields[12])) / 100;
    return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024, cpuS };
  } catch {
    return { rssMb: NaN, peakMb: NaN, cpuS: NaN };
  }
}

function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 6000);
  return exited.finally(() => clearTimeout(timer));
}

/** Keeps the last lines a child printed, and counts the gateway's refusal warnings. */
function watch(child: ChildProcess, name: string): { tail: () => string; refusals: () => number; died: () => string | undefined } {
  let tail = '';
  let refusals = 0;
  let died: string | undefined;
  child.once('exit', (code, signal) => (died = `${name} exited (${signal ?? code}) during the run; its last output: ${tail.slice(-1500)}`));
  const take = (d: Buffer) => {
    const text = d.toString();
    if (process.env['BUS_DEBUG']) process.stderr.write(`[${name}] ${text}`);
    refusals += (text.match(/refused|invalid publish|dropped/g) ?? []).length;
    tail = (tail + text).slice(-3000);
  };
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  return { tail: () => tail, refusals: () => refusals, died: () => died };
}

async function waitHealthy(base: string, child: ChildProcess, out: () => string): Promise<void> {
  const until = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new BenchFailure(`it exited with ${child.exitCode}: ${out()}`);
    const ok = await fetch(`${base}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > until) throw new BenchFailure(`not healthy after 30 s: ${out()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Side {
  name: 'aedes' | 'mosquitto';
  label: string;
  target: Target;
  /** The process whose RSS is the issue's figure (the gateway), and the others of this side. */
  pids: { gateway?: number; broker?: number; standIn?: number };
  refusals: () => number;
  /** Why a process of this side ended during the run (with the last lines it printed), if one did. */
  died: () => string | undefined;
  stop: () => Promise<void>;
}

/** The gateway (aedes inside) as its own process, on env ports and a config file. */
async function startGatewaySide(dir: string, configFile: string, creds: Credentials): Promise<Side> {
  const httpPort = await freePort();
  const mqttPort = await freePort();
  const child = spawn(process.execPath, [GATEWAY_MAIN, '--config', configFile], {
    env: { ...process.env, FORECOURT_HTTP_PORT: String(httpPort), FORECOURT_MQTT_PORT: String(mqttPort), FORECOURT_DATA_DIR: dir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = watch(child, 'the gateway');
  const base = `http://127.0.0.1:${httpPort}`;
  try {
    await waitHealthy(base, child, out.tail);
  } catch (err) {
    await stop(child);
    throw new BenchFailure(`the gateway did not start: ${(err as Error).message}`);
  }
  let stopping = false;
  return {
    name: 'aedes',
    label: 'gateway (aedes in-process)',
    target: { tcpUrl: `mqtt://127.0.0.1:${mqttPort}`, wsUrl: `ws://127.0.0.1:${httpPort}/mqtt`, httpBase: base, logins: creds.logins, staffToken: creds.staffToken },
    pids: { gateway: child.pid },
    refusals: out.refusals,
    died: () => (stopping ? undefined : out.died()),
    stop: () => ((stopping = true), stop(child)),
  };
}

/** Mosquitto with the same logins and the rule table as its ACL, and the gateway stand-in as its client. */
async function startMosquittoSide(dir: string, configFile: string, pop: Population, creds: Credentials): Promise<Side> {
  const principals: DevicePrincipal[] = [...pop.devices, ...pop.screens].map((m) => ({ kind: 'device', id: m.id, deviceKind: m.kind, name: m.id, ...(m.station ? { station: m.station } : {}) }));
  const gateway = { username: 'forecourt-gateway', password: randomBytes(24).toString('base64url') };
  const mosquitto = await startMosquitto({ dir, store: STORE_ID, logins: creds.logins, principals, gateway });
  const httpPort = await freePort();
  const child = spawn(process.execPath, [STANDIN_MAIN, '--config', configFile, '--broker', `mqtt://127.0.0.1:${mosquitto.tcpPort}`, '--http-port', String(httpPort)], {
    env: { ...process.env, BUS_STANDIN_USERNAME: gateway.username, BUS_STANDIN_PASSWORD: gateway.password },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = watch(child, 'the stand-in');
  const base = `http://127.0.0.1:${httpPort}`;
  try {
    await waitForPort(httpPort, 30_000, () => child.exitCode === null);
    await waitHealthy(base, child, out.tail);
  } catch (err) {
    await stop(child);
    await mosquitto.stop();
    throw new BenchFailure(`the gateway stand-in did not start: ${(err as Error).message} ${out.tail()}`);
  }
  const mosquittoOut = watch(mosquitto.child, 'mosquitto');
  let stopping = false;
  return {
    name: 'mosquitto',
    label: 'Mosquitto + gateway stand-in',
    target: { tcpUrl: `mqtt://127.0.0.1:${mosquitto.tcpPort}`, wsUrl: `ws://127.0.0.1:${mosquitto.wsPort}/mqtt`, httpBase: base, logins: creds.logins, staffToken: creds.staffToken },
    pids: { broker: mosquitto.child.pid, standIn: child.pid },
    refusals: () => out.refusals() + mosquittoOut.refusals(),
    died: () => (stopping ? undefined : (out.died() ?? mosquittoOut.died())),
    stop: async () => {
      stopping = true;
      await stop(child);
      await mosquitto.stop();
    },
  };
}

interface SideResult {
  name: Side['name'];
  label: string;
  realistic: PhaseResult;
  saturating: PhaseResult;
  /** CPU seconds each process spent in the saturating run. */
  cpu: Record<string, number>;
  end: Record<string, ProcStat>;
  refusals: number;
  credentials: Credentials['made'];
}

const all = (r: PhaseResult) => LATENCY_CLASSES.flatMap((c) => r.latency[c]).sort((a, b) => a - b);
const msgs = (r: PhaseResult) => r.uplink + r.delivered;
const perS = (r: PhaseResult) => msgs(r) / (r.wallMs / 1000);
const missingCount = (r: PhaseResult) => Object.values(r.missing).reduce((a, b) => a + b, 0);

function latencyLine(r: PhaseResult): string {
  const parts = LATENCY_CLASSES.filter((c) => r.latency[c].length > 0).map((c) => {
    const sorted = [...r.latency[c]].sort((a, b) => a - b);
    return `${c} ${percentile(sorted, 50).toFixed(1)}/${percentile(sorted, 99).toFixed(1)} (n=${sorted.length})`;
  });
  return parts.join(', ');
}

function describePhase(name: string, r: PhaseResult): string[] {
  const sorted = all(r);
  const lines = [
    `  ${name}: ${r.uplink} device publishes + ${r.delivered} deliveries (+ ${r.httpCommands} HTTP commands) in ${(r.wallMs / 1000).toFixed(2)} s = ${Math.round(perS(r))} msgs/s`,
    `    end-to-end latency, all ${sorted.length} timed messages: p50 ${percentile(sorted, 50).toFixed(2)} ms, p99 ${percentile(sorted, 99).toFixed(2)} ms, max ${(sorted.at(-1) ?? NaN).toFixed(1)} ms`,
    `    by kind, p50/p99 ms: ${latencyLine(r)}`,
    `    deliveries by topic: ${Object.entries(r.deliveredByTopic)
      .map(([t, n]) => `${t} ${n}`)
      .join(', ')}`,
  ];
  const missing = Object.entries(r.missing).filter(([, n]) => n > 0);
  if (missing.length > 0) lines.push(`    MISSING (never arrived): ${missing.map(([c, n]) => `${c} ${n}`).join(', ')}`);
  if (r.errors.length > 0) lines.push(`    ${r.errors.length} errors, first: ${r.errors.slice(0, 3).join(' | ')}`);
  return lines;
}

async function runSide(
  name: Side['name'],
  pop: Population,
  plans: { warmup: Chain[]; realistic: Chain[]; saturating: Chain[] },
  opts: { members: number; seed: number; hourS: number },
): Promise<SideResult> {
  const dir = mkdtempSync(resolve(tmpdir(), `forecourt-bench-bus-${name}-`));
  let side: Side | undefined;
  let fleet: Fleet | undefined;
  try {
    const setup = prepareStore(dir, pop, opts.members);
    const configFile = join(dir, 'forecourt.config.json');
    writeFileSync(configFile, JSON.stringify(benchConfig(pop, dir)));
    const provisionStarted = Date.now();
    const creds = await provisionAll(dir, [...pop.devices, ...pop.screens], STORE_ID);
    const provisionS = (Date.now() - provisionStarted) / 1000;
    side = name === 'aedes' ? await startGatewaySide(dir, configFile, creds) : await startMosquittoSide(dir, configFile, pop, creds);
    say(`${side.label}: ${creds.logins.size} logins provisioned in ${provisionS.toFixed(1)} s; clients connect with username = client id = device id, password = its fcd. token`);
    fleet = await Fleet.connect(side.target, pop, setup, opts.seed);
    const idle = Object.entries(side.pids).map(([k, pid]) => `${k} ${procStat(pid).rssMb.toFixed(1)} MB`);
    say(`  RSS with every client connected, before any load: ${idle.join(', ')}`);
    await fleet.run(plans.warmup, false);

    const realistic = await fleet.run(plans.realistic, true);
    for (const line of describePhase(`realistic (one busy hour in ${opts.hourS} s)`, realistic)) say(line);

    const pids = side.pids;
    const before = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, procStat(pid).cpuS]));
    const benchBefore = process.cpuUsage();
    const saturating = await fleet.run(plans.saturating, false);
    const benchCpu = process.cpuUsage(benchBefore);
    const end = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, procStat(pid)]));
    const cpu: Record<string, number> = Object.fromEntries(Object.entries(end).map(([k, s]) => [k, s.cpuS - (before[k] ?? NaN)]));
    cpu['bench'] = (benchCpu.user + benchCpu.system) / 1e6;
    for (const line of describePhase('saturating', saturating)) say(line);
    const per1000 = (s: number) => ((s * 1000) / msgs(saturating) * 1000).toFixed(0);
    say(`    CPU in the saturating run: ${Object.entries(cpu).map(([k, s]) => `${k} ${s.toFixed(2)} s (${per1000(s)} ms per 1000 msgs)`).join(', ')}`);
    say(`    memory at the end: ${Object.entries(end).map(([k, s]) => `${k} RSS ${s.rssMb.toFixed(1)} MB (peak ${s.peakMb.toFixed(1)} MB)`).join(', ')}`);
    const refusals = side.refusals();
    if (refusals > 0) say(`    ${refusals} refusal/drop warnings in the broker side's log`);
    const died = side.died();
    if (died) throw new BenchFailure(died);
    return { name, label: side.label, realistic, saturating, cpu, end, refusals, credentials: creds.made };
  } finally {
    await fleet?.close();
    await side?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      'hour-s': { type: 'string', default: '60' },
      'sat-hours': { type: 'string', default: '5' },
      members: { type: 'string', default: '5000' },
      screens: { type: 'string', default: String(DEFAULT_SIZE.screens) },
      seed: { type: 'string', default: '1' },
      only: { type: 'string' },
    },
    strict: true,
  });
  const hourS = Number(values['hour-s']);
  const satHours = Number(values['sat-hours']);
  const members = Number(values.members);
  const screens = Number(values.screens);
  const seed = Number(values.seed);
  if (!(hourS >= 5)) throw new BenchFailure('--hour-s must be at least 5');
  // Ticket numbers run to 999 per service and day; the saturating run must stay below that.
  if (!(satHours > 0 && satHours <= 20)) throw new BenchFailure('--sat-hours must be above 0 and at most 20');
  if (!Number.isInteger(members) || members < 1) throw new BenchFailure('--members must be a positive whole number');
  if (!Number.isInteger(screens)) throw new BenchFailure('--screens must be a whole number');
  if (!Number.isInteger(seed)) throw new BenchFailure('--seed must be a whole number');
  const only = values.only;
  if (only !== undefined && only !== 'aedes' && only !== 'mosquitto') throw new BenchFailure('--only must be aedes or mosquitto');

  const pop = population({ ...DEFAULT_SIZE, screens });
  const plans = {
    warmup: plan(pop, BUSY_HOUR, 0.05, 0, seed + 100),
    realistic: plan(pop, BUSY_HOUR, 1, hourS * 1000, seed),
    saturating: widen(plan(pop, BUSY_HOUR, satHours, 0, seed + 1), SATURATING_WAYS),
  };
  const count = (chains: Chain[], kind: Chain['kind']) => chains.filter((c) => c.kind === kind).reduce((n, c) => n + c.steps, 0);
  const counts = (chains: Chain[]) =>
    `${count(chains, 'desk')} queue commands, ${count(chains, 'tap')} taps, ${count(chains, 'scan')} scans, ${count(chains, 'heartbeat')} heartbeats, ${count(chains, 'state')} states`;
  const by = (role: string, list = pop.devices) => list.filter((m) => m.role === role).length;
  const mosquittoVersion = await new Promise<string>((res) => {
    const child = spawn(MOSQUITTO, ['-h'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', () => res('not installed'));
    child.once('close', () => res(/version (\S+)/.exec(out)?.[1] ?? 'unknown version'));
  });

  say(`Bus benchmark: the store's topic mix through the gateway's broker (aedes, authentication + ACL) and through Mosquitto ${mosquittoVersion} (same logins, ACL from the same rule table) + the gateway stand-in`);
  say(`  ${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} before the start; Node ${process.version}`);
  say(
    `  store: ${pop.devices.length} devices on MQTT/TCP (${by('kiosk-reader') + by('desk-reader')} NFC readers, ${by('scanner')} bay scanners, ${by('dispenser')} dispensers, ${by('printer')} printers), ` +
      `${pop.screens.length} screens on MQTT/WebSocket (${by('board', pop.screens)} lounge boards, ${by('kiosk', pop.screens)} kiosks, ${by('desk', pop.screens)} desk consoles), ${members} members, 60 repair orders, 40 tickets waiting`,
  );
  say(`  realistic run: one busy hour in ${hourS} s, Poisson arrivals: ${counts(plans.realistic)}`);
  say(`  saturating run: ${satHours} busy hours as fast as they go, ${SATURATING_WAYS} in flight per device and per desk (a bay scanner waits for each result): ${counts(plans.saturating)}`);

  const results: SideResult[] = [];
  for (const name of ['aedes', 'mosquitto'] as const) {
    if (only && only !== name) continue;
    results.push(await runSide(name, pop, plans, { members, seed, hourS }));
  }
  const made = results[0]?.credentials;
  if (made) {
    say(`Credentials: ${made.cli} made by the CLIs, ${made.inProcess} in-process on the data directory.`);
    for (const why of [...new Set(made.why)].slice(0, 4)) say(`  ${why}`);
  }

  const aedes = results.find((r) => r.name === 'aedes');
  const mosq = results.find((r) => r.name === 'mosquitto');
  const p99 = (r: SideResult | undefined) => (r ? percentile(all(r.realistic), 99) : NaN);
  const aedesRate = aedes ? perS(aedes.saturating) : NaN;
  const mosqRate = mosq ? perS(mosq.saturating) : NaN;
  const ratio = aedesRate / mosqRate;
  const rss = aedes?.end['gateway']?.rssMb ?? NaN;
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT MET');
  say('Summary');
  say(`  saturating msgs/s: aedes ${Math.round(aedesRate)}, mosquitto ${Math.round(mosqRate)}; ratio ${ratio.toFixed(2)} (target ≥ ${TARGET_RATIO}: ${verdict(ratio >= TARGET_RATIO)})`);
  say(`  realistic end-to-end p99: aedes ${p99(aedes).toFixed(2)} ms (target ≤ ${TARGET_P99_MS} ms: ${verdict(p99(aedes) <= TARGET_P99_MS)}), mosquitto ${p99(mosq).toFixed(2)} ms`);
  say(`  gateway RSS at the end: ${rss.toFixed(1)} MB (target ≤ ${TARGET_RSS_MB} MB: ${verdict(rss <= TARGET_RSS_MB)})`);
  if (values.json) {
    say(
      JSON.stringify({
        aedes_msgs_per_s: Math.round(aedesRate),
        mosquitto_msgs_per_s: Math.round(mosqRate),
        ratio: round(ratio, 3),
        aedes_p99_ms: round(p99(aedes)),
        mosquitto_p99_ms: round(p99(mosq)),
        gateway_rss_mb: round(rss, 1),
        aedes_p50_ms: aedes ? round(percentile(all(aedes.realistic), 50)) : null,
        mosquitto_p50_ms: mosq ? round(percentile(all(mosq.realistic), 50)) : null,
        gateway_peak_rss_mb: round(aedes?.end['gateway']?.peakMb ?? NaN, 1),
        hour_s: hourS,
        sat_hours: satHours,
      }),
    );
  }
  const lost = results.flatMap((r) => [missingCount(r.realistic), missingCount(r.saturating)]).reduce((a, b) => a + b, 0);
  if (lost > 0) throw new BenchFailure(`${lost} timed messages never arrived (see MISSING above)`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench:bus failed: ${err instanceof BenchFailure ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);

