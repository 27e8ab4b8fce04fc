/**
 * `npm run bench:bus [-- --json] [--hour-s 60] [--sat-from-s 8] [--step-s 4] [--members 5000] [--screens 20] [--only aedes|mosquitto] [--seed 1] [--cpu-prof DIR]`
 *
 * The store's topic mix through the gateway's broker (aedes, with device authentication and the
 * topic ACLs on), and the same clients through a real Mosquitto 2 started here on free ports,
 * with the same logins (a password file hashed by mosquitto_passwd) and an ACL file generated
 * from the gateway's own rule table (bus-mosquitto.ts). Both stores start from the same SQLite
 * content (members with cards, the day's repair orders, a waiting queue), get their credentials
 * from the installer's CLIs (bus-credentials.ts), and get exactly the same messages (a seeded plan).
 *
 * The mix (bus-mix.ts: a busy hour of a large 4S store): 21 devices on MQTT over TCP — NFC
 * readers at 4 kiosks and 4 desks publishing taps of real member cards (`device/{id}/tap`,
 * QoS 1), 8 bay scanners publishing job-card + action scans (`device/{id}/scan`, QoS 1),
 * 2 dispensers and 3 printers; every device publishes heartbeats (`device/{id}/heartbeat`, QoS 0,
 * every 10 s) and state changes (`device/{id}/state`, QoS 1, retained) — and 20 screens on MQTT
 * over WebSocket with the real screens' subscriptions: 12 lounge boards (queue/calls, queue/call,
 * queue/services, queue/mode, workshop/board[/changes]), 4 kiosks (queue/services, queue/mode,
 * their kiosk/{id}/session) and 4 desk consoles (queue/*, the workshop board, device/+/state,
 * their desk/{n}/session, print/jobs). The desks send the queue's HTTP commands: a ticket issued
 * at the kiosk (with the kiosk's token), called next and finished at the desk (staff token).
 *
 * The fan-out, and why it is fair: what screens receive in a store is published by the gateway
 * itself — queue snapshots and call events after HTTP commands, board changes after bay scans,
 * greetings after taps — and on the gateway those topics are closed to clients. So both sides are
 * driven the store's way, by real HTTP commands and real device messages. On the gateway its
 * extensions answer in-process; on Mosquitto the stand-in (bus-standin.ts) answers: the gateway's
 * very extensions, SQLite stores and HTTP stack, connected to Mosquitto as one MQTT client — the
 * store as it would run with an external broker. Only the broker and where it runs differ. A
 * client-published topic read by screens (`device/+/state` → desk consoles) is timed as well.
 *
 * Runs, per broker, after a short warm-up:
 * - realistic: one busy hour's messages (a fixed count, random arrival times) in `--hour-s`
 *   seconds, for end-to-end latency per message (bus-fleet.ts lists the five timed kinds);
 * - saturation: the same mix with a busy hour compressed into `--sat-from-s` seconds, then
 *   1.5× faster at each step (each step at least `--step-s` seconds of busy hours), until a step
 *   no longer keeps up (takes more than 1/0.85 of its planned time) or loses a message; devices
 *   and desks keep up to 8 in flight, so the sources stay open loop. msgs/s = (device publishes
 *   accepted + deliveries to the clients) / seconds; the figure is the most any step delivered
 *   with nothing lost — usually the first step that falls behind, run flat out.
 * Both brokers turn Nagle's algorithm off for their TCP clients, as the gateway's listener does
 * (bus-mosquitto.ts GATEWAY_TCP_NODELAY: Mosquitto gets set_tcp_nodelay true).
 * The gateway's RSS is read from /proc/<pid>/status (VmRSS) after the realistic run and at the end.
 * --cpu-prof DIR writes the gateway's CPU profile there (node --cpu-prof) when it stops.
 * BUS_DEBUG=1 echoes the broker side's output (crash traces), when each kind of chain finished and
 * state deliveries slower than 100 ms to stderr.
 * Human-readable lines first; with --json the last line is one JSON object of the figures.
 * Exit 1 when a broker cannot be started, a process dies, or the realistic run loses messages.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { DevicePrincipal } from '../protocol/index.js';
import { provisionAll, type Credentials } from './bus-credentials.js';
import { Fleet, LATENCY_CLASSES, type PhaseResult, type Target } from './bus-fleet.js';
import { benchConfig, BUSY_HOUR, DEFAULT_SIZE, plan, population, prepareStore, STORE_ID, widen, type Chain, type Population } from './bus-mix.js';
import { freePort, GATEWAY_TCP_NODELAY, MOSQUITTO, startMosquitto, waitForPort } from './bus-mosquitto.js';
import { percentile, procStat, type ProcStat } from './figures.js';
import { spawnGateway, stopChild as stop, waitHealthy as waitUntilHealthy, watchChild } from './gateway-process.js';
import { BenchFailure, runBench } from './run-bench.js';

const TARGET_RATIO = 0.8;
const TARGET_P99_MS = 10;
const TARGET_RSS_MB = 150;
/** Parallel chains per source in the saturation steps (bus-mix.ts widen). */
const IN_FLIGHT = 8;
/** Busy hours the saturation steps may use in all (ticket numbers: see main). */
const MAX_SAT_HOURS = 28;
const STANDIN_MAIN = fileURLToPath(new URL('./bus-standin.js', import.meta.url));


const say = (line: string) => process.stdout.write(`${line}\n`);
const round = (value: number, digits = 2) => Number(value.toFixed(digits));

const watch = (child: ChildProcess, name: string) => watchChild(child, name, Boolean(process.env['BUS_DEBUG']));

async function waitHealthy(base: string, child: ChildProcess, out: () => string): Promise<void> {
  await waitUntilHealthy(base, child, out).catch((err: unknown) => {
    throw new BenchFailure((err as Error).message);
  });
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
async function startGatewaySide(dir: string, configFile: string, creds: Credentials, profDir: string | undefined): Promise<Side> {
  const httpPort = await freePort();
  const mqttPort = await freePort();
  const child = spawnGateway(configFile, { ...process.env, FORECOURT_HTTP_PORT: String(httpPort), FORECOURT_MQTT_PORT: String(mqttPort), FORECOURT_DATA_DIR: dir }, profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : []);
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

/** One step of the saturation search: `hours` busy hours, each compressed into `hourS` seconds. */
interface Step {
  hourS: number;
  hours: number;
  result: PhaseResult;
  /** What was offered: the step's messages over its planned duration. */
  offeredPerS: number;
  achievedPerS: number;
  /** CPU seconds of each process during the step. */
  cpu: Record<string, number>;
  ok: boolean;
}

interface SideResult {
  name: Side['name'];
  label: string;
  realistic: PhaseResult;
  steps: Step[];
  /** The step that delivered the most msgs/s with every message delivered. */
  best: Step | undefined;
  afterRealistic: Record<string, ProcStat>;
  end: Record<string, ProcStat>;
  refusals: number;
  /** Set when a process of this side ended during the run. */
  died: string | undefined;
  credentials: Credentials['made'];
}

/** A step "keeps up" while it finishes within this share of its planned duration's rate. */
const KEEPS_UP = 0.85;

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

function problems(r: PhaseResult): string[] {
  const lines: string[] = [];
  const missing = Object.entries(r.missing).filter(([, n]) => n > 0);
  if (missing.length > 0) lines.push(`    MISSING (never arrived): ${missing.map(([c, n]) => `${c} ${n}`).join(', ')}`);
  if (r.errors.length > 0) lines.push(`    ${r.errors.length} errors, first: ${r.errors.slice(0, 3).join(' | ')}`);
  return lines;
}

function describeRealistic(hourS: number, r: PhaseResult): string[] {
  const sorted = all(r);
  return [
    `  realistic (one busy hour in ${hourS} s): ${r.uplink} device publishes + ${r.delivered} deliveries (+ ${r.httpCommands} HTTP commands) in ${(r.wallMs / 1000).toFixed(2)} s = ${Math.round(perS(r))} msgs/s`,
    `    end-to-end latency, all ${sorted.length} timed messages: p50 ${percentile(sorted, 50).toFixed(2)} ms, p99 ${percentile(sorted, 99).toFixed(2)} ms, max ${(sorted.at(-1) ?? NaN).toFixed(1)} ms`,
    `    by kind, p50/p99 ms: ${latencyLine(r)}`,
    `    deliveries by topic: ${Object.entries(r.deliveredByTopic)
      .map(([t, n]) => `${t} ${n}`)
      .join(', ')}`,
    ...problems(r),
  ];
}

async function runSide(
  name: Side['name'],
  pop: Population,
  plans: { warmup: Chain[]; realistic: Chain[]; steps: { hourS: number; hours: number; chains: Chain[] }[] },
  opts: { members: number; seed: number; hourS: number; profDir: string | undefined },
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
    side = name === 'aedes' ? await startGatewaySide(dir, configFile, creds, opts.profDir) : await startMosquittoSide(dir, configFile, pop, creds);
    say(`${side.label}: ${creds.logins.size} logins provisioned in ${provisionS.toFixed(1)} s; clients connect with username = client id = device id, password = its fcd. token`);
    fleet = await Fleet.connect(side.target, pop, setup, opts.seed);
    const pids = side.pids;
    say(`  RSS with every client connected, before any load: ${Object.entries(pids).map(([k, pid]) => `${k} ${procStat(pid).rssMb.toFixed(1)} MB`).join(', ')}`);
    await fleet.run(plans.warmup, false);

    const realistic = await fleet.run(plans.realistic, true);
    for (const line of describeRealistic(opts.hourS, realistic)) say(line);
    const afterRealistic = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, procStat(pid)]));
    say(`    RSS after it: ${Object.entries(afterRealistic).map(([k, st]) => `${k} ${st.rssMb.toFixed(1)} MB`).join(', ')}`);

    // Saturation: the same busy hour, compressed further at each step, until it no longer keeps up.
    say('  saturation search (busy hours with their arrivals compressed; "keeps up" = done within 1/0.85 of the planned time, nothing lost):');
    const steps: Step[] = [];
    let died = side.died();
    for (const { hourS, hours, chains } of plans.steps) {
      if (died) break;
      const before = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, procStat(pid).cpuS]));
      const benchBefore = process.cpuUsage();
      const result = await fleet.run(chains, true);
      const benchCpu = process.cpuUsage(benchBefore);
      const cpu: Record<string, number> = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, procStat(pid).cpuS - (before[k] ?? NaN)]));
      cpu['bench'] = (benchCpu.user + benchCpu.system) / 1e6;
      died = side.died();
      const lost = missingCount(result) > 0 || result.errors.length > 0 || died !== undefined;
      const offeredPerS = msgs(result) / (hourS * hours);
      const achievedPerS = perS(result);
      const step: Step = { hourS, hours, result, offeredPerS, achievedPerS, cpu, ok: !lost };
      steps.push(step);
      const sorted = all(result);
      const cpuMs = Object.entries(cpu)
        .map(([k, c]) => `${k} ${((c * 1e6) / msgs(result)).toFixed(0)}`)
        .join(', ');
      say(
        `    hour in ${hourS.toFixed(2)} s (×${hours}): offered ${Math.round(offeredPerS)} msgs/s → ${Math.round(achievedPerS)} msgs/s in ${(result.wallMs / 1000).toFixed(2)} s; ` +
          `p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms; CPU µs/msg ${cpuMs}${lost ? '; FAILED' : achievedPerS < KEEPS_UP * offeredPerS ? '; falls behind' : ''}`,
      );
      for (const line of problems(result)) say(`  ${line}`);
      if (lost || achievedPerS < KEEPS_UP * offeredPerS) break;
    }
    const best = steps.filter((st) => st.ok).sort((a, b) => b.achievedPerS - a.achievedPerS)[0];
    if (best) {
      say(`  saturating: ${Math.round(best.achievedPerS)} msgs/s delivered with nothing lost (busy hour in ${best.hourS.toFixed(2)} s ×${best.hours}); p50/p99 ms by kind there: ${latencyLine(best.result)}`);
      say(`    deliveries by topic: ${Object.entries(best.result.deliveredByTopic).map(([t, n]) => `${t} ${n}`).join(', ')}`);
    }
    const end = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, procStat(pid)]));
    say(`  memory at the end: ${Object.entries(end).map(([k, st]) => `${k} RSS ${st.rssMb.toFixed(1)} MB (peak ${st.peakMb.toFixed(1)} MB; anonymous ${st.anonMb.toFixed(1)}, file ${st.fileMb.toFixed(1)}; ${st.threads} threads)`).join(', ')}`);
    const refusals = side.refusals();
    if (refusals > 0) say(`  ${refusals} refusal/drop warnings in the broker side's log`);
    if (died) say(`  ${died}`);
    return { name, label: side.label, realistic, steps, best, afterRealistic, end, refusals, died, credentials: creds.made };
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
      'sat-from-s': { type: 'string', default: '8' },
      'step-s': { type: 'string', default: '4' },
      members: { type: 'string', default: '5000' },
      screens: { type: 'string', default: String(DEFAULT_SIZE.screens) },
      seed: { type: 'string', default: '1' },
      only: { type: 'string' },
      'cpu-prof': { type: 'string' },
    },
    strict: true,
  });
  const hourS = Number(values['hour-s']);
  const satFrom = Number(values['sat-from-s']);
  const stepS = Number(values['step-s']);
  const members = Number(values.members);
  const screens = Number(values.screens);
  const seed = Number(values.seed);
  if (!(hourS >= 5)) throw new BenchFailure('--hour-s must be at least 5');
  if (!(satFrom > 0 && stepS > 0)) throw new BenchFailure('--sat-from-s and --step-s must be above 0');
  if (!Number.isInteger(members) || members < 1) throw new BenchFailure('--members must be a positive whole number');
  if (!Number.isInteger(screens)) throw new BenchFailure('--screens must be a whole number');
  if (!Number.isInteger(seed)) throw new BenchFailure('--seed must be a whole number');
  const only = values.only;
  if (only !== undefined && only !== 'aedes' && only !== 'mosquitto') throw new BenchFailure('--only must be aedes or mosquitto');

  const pop = population({ ...DEFAULT_SIZE, screens });
  // Steps 1.5× faster each; every busy hour issues its tickets, and numbers run to 999 per
  // service and day (30 an hour at the busiest desk): at most MAX_SAT_HOURS busy hours in all.
  const steps: { hourS: number; hours: number }[] = [];
  for (let h = satFrom, total = 0; ; h /= 1.5) {
    const hours = Math.max(1, Math.ceil(stepS / h - 1e-9));
    if (total + hours > MAX_SAT_HOURS) break;
    total += hours;
    steps.push({ hourS: round(h, 3), hours });
  }
  const plans = {
    warmup: plan(pop, BUSY_HOUR, 0.05, 0, seed + 100),
    realistic: plan(pop, BUSY_HOUR, 1, hourS * 1000, seed),
    steps: steps.map((st, i) => ({ ...st, chains: widen(plan(pop, BUSY_HOUR, st.hours, st.hourS * 1000, seed + 1 + i), IN_FLIGHT) })),
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
  say(`  a busy hour: ${counts(plans.realistic)}; arrivals at random times (fixed count, seeded: both brokers get the same)`);
  say(
    `  realistic run: one busy hour in ${hourS} s; saturation steps: a busy hour in ${steps.map((st) => `${st.hourS} s${st.hours > 1 ? ` (×${st.hours})` : ''}`).join(', ')}, until one falls behind (up to ${IN_FLIGHT} messages or tickets in flight per device and desk)`,
  );

  const results: SideResult[] = [];
  for (const name of ['aedes', 'mosquitto'] as const) {
    if (only && only !== name) continue;
    results.push(await runSide(name, pop, plans, { members, seed, hourS, profDir: values['cpu-prof'] ? resolve(values['cpu-prof']) : undefined }));
  }
  const made = results[0]?.credentials;
  if (made) {
    say(`Credentials: ${made.cli} made by the CLIs (devices-cli provision, staff-cli token), ${made.inProcess} in-process on the data directory.`);
    for (const why of [...new Set(made.why)].slice(0, 4)) say(`  ${why}`);
  }

  const aedes = results.find((r) => r.name === 'aedes');
  const mosq = results.find((r) => r.name === 'mosquitto');
  const p99 = (r: SideResult | undefined) => (r ? percentile(all(r.realistic), 99) : NaN);
  const aedesRate = aedes?.best?.achievedPerS ?? NaN;
  const mosqRate = mosq?.best?.achievedPerS ?? NaN;
  const ratio = aedesRate / mosqRate;
  const rss = aedes?.end['gateway']?.rssMb ?? NaN;
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT MET');
  say('Summary');
  say(`  saturating msgs/s (most delivered with nothing lost): aedes ${Math.round(aedesRate)}, mosquitto ${Math.round(mosqRate)}; ratio ${ratio.toFixed(2)} (target ≥ ${TARGET_RATIO}: ${verdict(ratio >= TARGET_RATIO)})`);
  say(`  realistic end-to-end p99, all timed messages: aedes ${p99(aedes).toFixed(2)} ms (target ≤ ${TARGET_P99_MS} ms: ${verdict(p99(aedes) <= TARGET_P99_MS)}), mosquitto ${p99(mosq).toFixed(2)} ms`);
  const rssRealistic = aedes?.afterRealistic['gateway']?.rssMb ?? NaN;
  say(`  gateway RSS at the end: ${rss.toFixed(1)} MB (target ≤ ${TARGET_RSS_MB} MB: ${verdict(rss <= TARGET_RSS_MB)}); after the realistic run ${rssRealistic.toFixed(1)} MB`);
  const byKind = (r: SideResult | undefined) =>
    Object.fromEntries(LATENCY_CLASSES.map((c) => [c, r ? round(percentile([...r.realistic.latency[c]].sort((a, b) => a - b), 99)) : null]));
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
        aedes_p99_ms_by_kind: byKind(aedes),
        mosquitto_p99_ms_by_kind: byKind(mosq),
        gateway_peak_rss_mb: round(aedes?.end['gateway']?.peakMb ?? NaN, 1),
        gateway_rss_anon_mb: round(aedes?.end['gateway']?.anonMb ?? NaN, 1),
        gateway_rss_file_mb: round(aedes?.end['gateway']?.fileMb ?? NaN, 1),
        gateway_threads: aedes?.end['gateway']?.threads ?? null,
        gateway_rss_after_realistic_mb: round(rssRealistic, 1),
        tcp_nodelay: GATEWAY_TCP_NODELAY,
        gateway_died: aedes?.died !== undefined,
        hour_s: hourS,
      }),
    );
  }
  const failures = results.flatMap((r) => [
    ...(r.died ? [`${r.name}: ${r.died.split(';')[0]}`] : []),
    ...(missingCount(r.realistic) > 0 || r.realistic.errors.length > 0 ? [`${r.name}: the realistic run lost messages or had errors`] : []),
  ]);
  if (failures.length > 0) throw new BenchFailure(failures.join('; '));
}

runBench('bench:bus', main);
