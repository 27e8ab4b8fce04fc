/**
 * `npm run bench:queue [-- --json] [--data FILE] [--gateway-tickets N] [--speed N] [--engine-only]`
 *
 * Replays the busiest business day of the Anonymous Bank call-centre log (see anonbank.ts):
 * 1. through the real QueueEngine on a SQLite file in a temp dir, at full speed, with the clock
 *    set to each action's log time; every transition is timed, and the result is checked;
 * 2. through a running in-process gateway: desk commands over HTTP, call events received by a
 *    "board" MQTT client over WebSocket, on loopback, one ticket at a time;
 * 3. through a running gateway again, the whole day at its real concurrency with time compressed
 *    `--speed` times: tickets issued at their arrival, desks calling next by the gateway's policy
 *    when their agent took a caller, walk-aways cancelled; call → board is measured here.
 * Human-readable lines first; with --json the last line is one JSON object of the figures.
 * Exit 1 when the replay fails or its checks do not hold.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import mqtt from 'mqtt';
import { DEFAULT_SERVICES, QueueEngine, QueueError } from '../domain/queue/index.js';
import { Gateway, createLogger, loadConfig, openDatabase } from '../index.js';
import { CallEvent, topics } from '../protocol/index.js';
import { SqliteQueueStore } from '../store/queue-store.js';
import {
  BENCH_SERVICES,
  DAY_START_HOUR,
  SOURCE_ACKNOWLEDGEMENT,
  TIME_ZONE,
  busiestDay,
  readAnonbankFile,
  toTrace,
  type Trace,
  type TraceAction,
} from './anonbank.js';
import { percentile } from './figures.js';
import { BenchFailure, runBench } from './run-bench.js';

const TARGET_TICKETS_PER_S = 2000;
const TARGET_CALL_TO_BOARD_P99_MS = 25;
const DEFAULT_GATEWAY_TICKETS = 2000;
/**
 * Log seconds per real second in the concurrent replay: the busiest day (20 h of log) in about 12
 * minutes, its busiest ten minutes at ~50 commands/s. At ×200 on this shared 2-core machine (load
 * average ~19) commands went unanswered for 30 s (see README, Benchmarks).
 */
const DEFAULT_SPEED = 100;
/** Counted from sending the call; a shared, loaded machine can stall a command for seconds. */
const BOARD_TIMEOUT_MS = 30_000;
/** A command unanswered this long is sent again with its request id, as the screens do. */
const COMMAND_TIMEOUT_MS = 10_000;
const COMMAND_ATTEMPTS = 3;

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DEFAULT_DATA = resolve(REPO_ROOT, '../shared/data/anonbank-1999-02.tsv');


interface Summary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? NaN,
  };
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));
const ms = (value: number, digits = 3) => `${value.toFixed(digits)} ms`;
const fmtSummary = (s: Summary, digits = 3) =>
  `p50 ${ms(s.p50, digits)}, p95 ${ms(s.p95, digits)}, p99 ${ms(s.p99, digits)}, max ${ms(s.max, digits)}`;

// ---------------------------------------------------------------------------------------------
// 1. Engine replay

interface EngineResult {
  tickets: number;
  transitions: number;
  wallMs: number;
  ticketsPerS: number;
  transition: Summary;
  byKind: Record<TraceAction['kind'], Summary>;
  checks: string[];
}

function replayEngine(trace: Trace): EngineResult {
  const dir = mkdtempSync(resolve(tmpdir(), 'forecourt-bench-'));
  const db = openDatabase(dir);
  try {
    let now = trace.actions[0]?.at ?? new Date();
    const engine = new QueueEngine({
      store: new SqliteQueueStore(db),
      clock: () => now,
      timeZone: TIME_ZONE,
      services: DEFAULT_SERVICES,
      desks: trace.desks,
      dayStartHour: DAY_START_HOUR,
    });
    const ticketIds = new Map<string, string>();
    const ticketOf = (id: string): string => {
      const ticketId = ticketIds.get(id);
      if (!ticketId) throw new BenchFailure(`trace acts on ${id} before it arrived`);
      return ticketId;
    };
    const durations = new Float64Array(trace.actions.length);
    const kinds: TraceAction['kind'][] = [];

    const started = performance.now();
    for (const [i, action] of trace.actions.entries()) {
      now = action.at;
      const t0 = performance.now();
      try {
        switch (action.kind) {
          case 'arrive':
            ticketIds.set(action.id, engine.issue({ service: action.service, priority: action.priority }).ticket.id);
            break;
          case 'call':
            engine.callSpecific(action.desk, ticketOf(action.id));
            break;
          case 'start':
            engine.startServing(action.desk, ticketOf(action.id));
            break;
          case 'finish':
            engine.finish(action.desk, ticketOf(action.id));
            break;
          case 'abandon':
            engine.cancel(ticketOf(action.id));
            break;
        }
      } catch (err) {
        const why = err instanceof QueueError ? `${err.code}: ${err.message}` : String(err);
        throw new BenchFailure(`engine refused action ${i} (${action.kind} ${action.id} at ${action.at.toISOString()}): ${why}`);
      }
      durations[i] = performance.now() - t0;
      kinds.push(action.kind);
    }
    const wallMs = performance.now() - started;

    // Checks: what the database holds must be exactly what the trace asked for.
    const checks: string[] = [];
    const count = (sql: string, ...params: unknown[]) => (db.prepare(sql).pluck().get(...params) as number) ?? 0;
    const expect = (label: string, actual: number, expected: number) => {
      if (actual !== expected) throw new BenchFailure(`check failed: ${label}: ${actual}, expected ${expected}`);
      checks.push(`${label} ${actual}`);
    };
    expect('tickets issued = arrivals:', count('SELECT COUNT(*) FROM queue_ticket'), trace.arrivals);
    expect(
      'duplicate ticket numbers:',
      count('SELECT COUNT(*) FROM (SELECT 1 FROM queue_ticket GROUP BY business_day, number HAVING COUNT(*) > 1)'),
      0,
    );
    expect('events = transitions:', count('SELECT COUNT(*) FROM queue_event'), trace.actions.length);
    expect('done = served:', count("SELECT COUNT(*) FROM queue_ticket WHERE state = 'done'"), trace.served);
    expect('cancelled = abandoned:', count("SELECT COUNT(*) FROM queue_ticket WHERE state = 'cancelled'"), trace.abandoned);
    expect('tickets outside the replayed day:', count('SELECT COUNT(*) FROM queue_ticket WHERE business_day <> ?', trace.day), 0);

    const all = Array.from(durations);
    const byKind = {} as Record<TraceAction['kind'], Summary>;
    for (const kind of ['arrive', 'call', 'start', 'finish', 'abandon'] as const) {
      byKind[kind] = summarize(all.filter((_, i) => kinds[i] === kind));
    }
    return {
      tickets: trace.arrivals,
      transitions: trace.actions.length,
      wallMs,
      ticketsPerS: trace.arrivals / (wallMs / 1000),
      transition: summarize(all),
      byKind,
      checks,
    };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// 2. Gateway replay

interface GatewayResult {
  tickets: number;
  callsMeasured: number;
  cancelled: number;
  commands: number;
  wallMs: number;
  callToBoard: Summary;
  commandRtt: Summary;
  strayCallEvents: number;
}

/** An in-process gateway set up for the trace, a board on MQTT over WebSocket, and a desk's HTTP client. */
interface BenchGateway {
  /** Resolves with the time a CallEvent (not a recall) arrives for the desk; set before sending the call. */
  awaitCall(desk: string, matches: (event: CallEvent) => boolean): { at: Promise<number>; cancel(): void };
  /** Sends a queue command as a manager; resolves with the answer and its round trip, retries included. */
  command(body: object): Promise<{ ok: boolean; status: number; answer: CommandReply; rttMs: number }>;
  strayCallEvents(): number;
  /** Commands sent again after a lost connection or no answer (the gateway acts on each once). */
  retries(): number;
  stop(): Promise<void>;
}

interface CommandReply {
  error?: { code?: string; message?: string };
  ticket?: { id: string; number: string };
}

async function startBenchGateway(trace: Trace): Promise<BenchGateway> {
  const dataDir = mkdtempSync(resolve(tmpdir(), 'forecourt-bench-gw-'));
  const { config } = loadConfig(['--http-port', '0', '--mqtt-port', '0', '--data-dir', dataDir], {}, dataDir);
  config.http.host = '127.0.0.1';
  config.mqtt.host = '127.0.0.1';
  config.demo = false;
  config.queue.services = DEFAULT_SERVICES.map((s) => ({ ...s }));
  config.queue.desks = trace.desks.map((d) => ({ ...d, services: [...d.services] }));
  config.queue.dayStartHour = DAY_START_HOUR;
  const gateway = new Gateway(config, { log: createLogger(process.env['FORECOURT_BENCH_LOG'] ?? 'silent', false) });
  let board: mqtt.MqttClient | undefined;
  const stop = async () => {
    await board?.endAsync(true).catch(() => undefined);
    await gateway.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await gateway.start();
    const base = `http://127.0.0.1:${gateway.httpPort}`;
    // The broker and the API let no one in anonymously: a provisioned board, a manager's token.
    const installer = { actor: 'bench', role: null, via: 'bench' };
    const boardId = `bench-board-${process.pid}`;
    const boardToken = gateway.identity.provisionDevice({ id: boardId, kind: 'board' }, installer);
    const managerToken = gateway.identity.issueStaffToken({ name: 'bench desk', role: 'manager' }, installer);
    board = await mqtt.connectAsync(`ws://127.0.0.1:${gateway.httpPort}/mqtt`, {
      clientId: boardId,
      username: boardId,
      password: boardToken,
      reconnectPeriod: 0,
      connectTimeout: 5000,
    });

    // At most one pending call per desk: a desk calls again only after its last call was answered.
    const waiters = new Map<string, { matches: (event: CallEvent) => boolean; resolve: (at: number) => void }>();
    let stray = 0;
    let retries = 0;
    // aedes drops a subscriber that leaves it waiting drainTimeout (2 s) to take a message.
    let boardClosed = 0;
    board.on('close', () => (boardClosed += 1));
    board.on('message', (_topic, payload) => {
      const at = performance.now();
      let parsed;
      try {
        parsed = CallEvent.safeParse(JSON.parse(payload.toString()));
      } catch {
        parsed = undefined;
      }
      const waiter = parsed?.success ? waiters.get(parsed.data.desk) : undefined;
      if (!parsed?.success || !waiter || parsed.data.recall || !waiter.matches(parsed.data)) {
        stray += 1;
        return;
      }
      waiters.delete(parsed.data.desk);
      waiter.resolve(at);
    });
    await board.subscribeAsync(topics.queueCall(config.store.id), { qos: 1 });

    return {
      awaitCall(desk, matches) {
        let timer: NodeJS.Timeout | undefined;
        const at = new Promise<number>((resolveAt, reject) => {
          waiters.set(desk, { matches, resolve: resolveAt });
          const why = () => (boardClosed > 0 ? ` (the broker closed the board's connection ${boardClosed} times)` : '');
          timer = setTimeout(() => reject(new BenchFailure(`no call event at desk ${desk} within ${BOARD_TIMEOUT_MS} ms${why()}`)), BOARD_TIMEOUT_MS);
        }).finally(() => clearTimeout(timer));
        // Rejected only for whoever awaits it: a call answered queue-empty never does.
        at.catch(() => undefined);
        return {
          at,
          cancel() {
            waiters.delete(desk);
            clearTimeout(timer);
          },
        };
      },
      async command(body) {
        // With a request id, like the kiosk and desk: a keep-alive socket the server closed as
        // the request left (ECONNRESET) or a stalled answer is sent again, and acts once.
        const requestId = randomUUID();
        const t0 = performance.now();
        for (let attempt = 1; ; attempt += 1) {
          try {
            const res = await fetch(`${base}/api/queue/commands`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${managerToken}`, 'idempotency-key': requestId },
              body: JSON.stringify(body),
              signal: AbortSignal.timeout(COMMAND_TIMEOUT_MS),
            });
            const answer = (await res.json()) as CommandReply;
            return { ok: res.ok, status: res.status, answer, rttMs: performance.now() - t0 };
          } catch (err) {
            if (attempt >= COMMAND_ATTEMPTS) throw new BenchFailure(`${JSON.stringify(body)} failed ${attempt} times: ${String(err)}`);
            retries += 1;
          }
        }
      },
      strayCallEvents: () => stray,
      retries: () => retries,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

function refused(body: object, reply: { status: number; answer: CommandReply }): BenchFailure {
  const { code = '', message = '' } = reply.answer.error ?? {};
  return new BenchFailure(`gateway refused ${JSON.stringify(body)}: HTTP ${reply.status} ${code} ${message}`);
}

async function replayGateway(trace: Trace, limit: number): Promise<GatewayResult> {
  // The first `limit` tickets of the day, each with its fate in the log.
  const fate = new Map<string, { desk: string } | 'abandon'>();
  for (const action of trace.actions) {
    if (action.kind === 'call') fate.set(action.id, { desk: action.desk });
    if (action.kind === 'abandon') fate.set(action.id, 'abandon');
  }
  const arrivals = trace.actions.filter((a): a is Extract<TraceAction, { kind: 'arrive' }> => a.kind === 'arrive').slice(0, limit);

  const gw = await startBenchGateway(trace);
  try {
    const rtt: number[] = [];
    const command = async (body: object): Promise<CommandReply> => {
      const reply = await gw.command(body);
      rtt.push(reply.rttMs);
      if (!reply.ok) throw refused(body, reply);
      return reply.answer;
    };

    const callToBoard: number[] = [];
    let cancelled = 0;
    const started = performance.now();
    for (const arrival of arrivals) {
      const issued = await command({ action: 'issue', service: arrival.service, priority: arrival.priority });
      const ticket = issued.ticket;
      if (!ticket?.id || !ticket.number) throw new BenchFailure(`issue answered without a ticket: ${JSON.stringify(issued)}`);
      const next = fate.get(arrival.id);
      if (next === undefined) throw new BenchFailure(`trace has no outcome for ${arrival.id}`);
      if (next === 'abandon') {
        await command({ action: 'cancel', ticketId: ticket.id });
        cancelled += 1;
        continue;
      }
      const onBoard = gw.awaitCall(next.desk, (event) => event.ticketNumber === ticket.number);
      const t0 = performance.now();
      const [, boardAt] = await Promise.all([command({ action: 'call', desk: next.desk, ticketId: ticket.id }), onBoard.at]);
      callToBoard.push(boardAt - t0);
      await command({ action: 'finish', desk: next.desk, ticketId: ticket.id });
    }
    const wallMs = performance.now() - started;
    if (callToBoard.length + cancelled !== arrivals.length) {
      throw new BenchFailure(`gateway replay lost tickets: ${callToBoard.length} called + ${cancelled} cancelled ≠ ${arrivals.length}`);
    }
    return {
      tickets: arrivals.length,
      callsMeasured: callToBoard.length,
      cancelled,
      commands: rtt.length,
      wallMs,
      callToBoard: summarize(callToBoard),
      commandRtt: summarize(rtt),
      strayCallEvents: gw.strayCallEvents(),
    };
  } finally {
    await gw.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// 3. Gateway replay at the trace's concurrency

interface ConcurrentResult {
  speed: number;
  tickets: number;
  calls: number;
  /** call-next answered queue-empty: the policy had already called the trace's customer elsewhere. */
  queueEmpty: number;
  cancelled: number;
  /** Walk-aways the policy had called before they left: served instead. */
  calledBeforeLeaving: number;
  commands: number;
  wallMs: number;
  /** Tickets waiting at once at the gateway (from its answers) and in the log. */
  waitingMax: number;
  traceWaitingMax: number;
  callToBoard: Summary;
  commandRtt: Summary;
  /** How late each command left against its compressed log time: the client keeping up. */
  sendLag: Summary;
  strayCallEvents: number;
  retries: number;
  eventLoopDelayMaxMs: number;
}

/** Most tickets waiting at once in the log: arrived, not yet called nor gone. */
function traceWaitingMax(trace: Trace): number {
  let waiting = 0;
  let max = 0;
  for (const action of trace.actions) {
    if (action.kind === 'arrive') waiting += 1;
    else if (action.kind === 'call' || action.kind === 'abandon') waiting -= 1;
    max = Math.max(max, waiting);
  }
  return max;
}

/**
 * The whole day through the gateway with its clock compressed `speed` times: every arrival issued
 * at its log time, every walk-away cancelled at its, and each agent's desk calling next — the
 * gateway's policy picks whom — whenever the agent took a caller in the log, finishing that
 * ticket when the agent finished. So as many tickets wait at once as in the log, and commands
 * overlap as they come.
 */
async function replayConcurrent(trace: Trace, speed: number): Promise<ConcurrentResult> {
  const finishAt = new Map<string, Date>();
  for (const action of trace.actions) if (action.kind === 'finish') finishAt.set(action.id, action.at);
  const first = trace.actions[0]?.at.getTime() ?? 0;
  const offsetMs = (at: Date) => (at.getTime() - first) / speed;

  const gw = await startBenchGateway(trace);
  // Gateway and clients share this process: a stalled event loop stalls both.
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  try {
    const rtt: number[] = [];
    const lag: number[] = [];
    const callToBoard: number[] = [];
    const counts = { tickets: 0, calls: 0, queueEmpty: 0, cancelled: 0, calledBeforeLeaving: 0, waiting: 0, waitingMax: 0 };
    const command = async (body: object, allowed: readonly string[] = []): Promise<CommandReply> => {
      const reply = await gw.command(body).catch((err: unknown) => {
        throw new BenchFailure(`${err instanceof Error ? err.message : String(err)} (event loop stalled up to ${(loop.max / 1e6).toFixed(0)} ms so far)`);
      });
      rtt.push(reply.rttMs);
      if (!reply.ok && !allowed.includes(reply.answer.error?.code ?? '')) throw refused(body, reply);
      return reply.answer;
    };
    // A ticket's cancel waits for its issue; a desk's commands go one after another.
    const issued = new Map<string, Promise<string>>();
    const desks = new Map<string, Promise<void>>();
    const onDesk = (desk: string, work: () => Promise<void>) => {
      const next = (desks.get(desk) ?? Promise.resolve()).then(work);
      desks.set(desk, next);
      return next;
    };
    const sleep = (until: number) => new Promise((r) => setTimeout(r, until - performance.now()));

    const pending: Promise<unknown>[] = [];
    // A command that fails while the replay still sleeps towards the next action stops the replay
    // and reaches Promise.all below with its own message (not as an unhandled rejection).
    let failure: unknown;
    const track = (work: Promise<unknown>) => {
      pending.push(work);
      work.catch((err: unknown) => (failure ??= err));
    };
    const started = performance.now();
    for (const action of trace.actions) {
      if (failure !== undefined) break;
      const due = started + offsetMs(action.at);
      if (due > performance.now()) await sleep(due);
      lag.push(Math.max(0, performance.now() - due));
      switch (action.kind) {
        case 'arrive': {
          const ticket = command({ action: 'issue', service: action.service, priority: action.priority }).then((answer) => {
            if (!answer.ticket) throw new BenchFailure(`issue answered without a ticket: ${JSON.stringify(answer)}`);
            counts.tickets += 1;
            counts.waitingMax = Math.max(counts.waitingMax, (counts.waiting += 1));
            return answer.ticket.id;
          });
          issued.set(action.id, ticket);
          track(ticket);
          break;
        }
        case 'abandon': {
          const ticket = issued.get(action.id);
          if (!ticket) throw new BenchFailure(`trace abandons ${action.id} before it arrived`);
          track(
            ticket.then(async (ticketId) => {
              const answer = await command({ action: 'cancel', ticketId }, ['wrong-state']);
              if (answer.error) counts.calledBeforeLeaving += 1;
              else {
                counts.cancelled += 1;
                counts.waiting -= 1;
              }
            }),
          );
          break;
        }
        case 'call': {
          const { desk } = action;
          const finish = finishAt.get(action.id);
          if (!finish) throw new BenchFailure(`trace calls ${action.id} and never finishes it`);
          track(
            onDesk(desk, async () => {
              const onBoard = gw.awaitCall(desk, () => true);
              const t0 = performance.now();
              const answer = await command({ action: 'call-next', desk }, ['queue-empty']);
              if (!answer.ticket) {
                onBoard.cancel();
                counts.queueEmpty += 1;
                return;
              }
              callToBoard.push((await onBoard.at) - t0);
              counts.calls += 1;
              counts.waiting -= 1;
              const ticketId = answer.ticket.id;
              await sleep(started + offsetMs(finish));
              await command({ action: 'finish', desk, ticketId });
            }),
          );
          break;
        }
        case 'start':
        case 'finish':
          break;
      }
    }
    await Promise.all(pending);
    return {
      speed,
      tickets: counts.tickets,
      calls: counts.calls,
      queueEmpty: counts.queueEmpty,
      cancelled: counts.cancelled,
      calledBeforeLeaving: counts.calledBeforeLeaving,
      commands: rtt.length,
      wallMs: performance.now() - started,
      waitingMax: counts.waitingMax,
      traceWaitingMax: traceWaitingMax(trace),
      callToBoard: summarize(callToBoard),
      commandRtt: summarize(rtt),
      sendLag: summarize(lag),
      strayCallEvents: gw.strayCallEvents(),
      retries: gw.retries(),
      eventLoopDelayMaxMs: loop.max / 1e6,
    };
  } finally {
    loop.disable();
    await gw.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// CLI

function describeTrace(trace: Trace): string[] {
  const lines: string[] = [];
  const demand = BENCH_SERVICES.map((s) => `${s} ${trace.demandByService[s]}`).join(', ');
  lines.push(`  services (PS/PE→maintenance, IN→repair, NE→claims, NW→sales, TT→pickup): ${demand}`);
  if (trace.overflow.length > 0) {
    const moved = trace.overflow.reduce((n, o) => n + o.count, 0);
    const from = [...new Set(trace.overflow.map((o) => o.from))].join(', ');
    const to = trace.overflow.map((o) => `${o.to} ${o.count}`).join(', ');
    lines.push(
      `  the engine numbers at most 999 tickets per service and day: ${moved} ${from} arrivals beyond that were issued round-robin in other services (${to})`,
    );
    lines.push(`  tickets per service: ${BENCH_SERVICES.map((s) => `${s} ${trace.ticketsByService[s]}`).join(', ')}`);
  }
  return lines;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      data: { type: 'string' },
      'gateway-tickets': { type: 'string' },
      'engine-only': { type: 'boolean', default: false },
      speed: { type: 'string' },
    },
    strict: true,
  });
  const dataFile = values.data ? resolve(process.cwd(), values.data) : DEFAULT_DATA;
  const gatewayTickets = values['gateway-tickets'] === undefined ? DEFAULT_GATEWAY_TICKETS : Number(values['gateway-tickets']);
  if (!Number.isInteger(gatewayTickets) || gatewayTickets < 1) throw new BenchFailure(`--gateway-tickets must be a positive whole number`);
  const speed = values.speed === undefined ? DEFAULT_SPEED : Number(values.speed);
  if (!Number.isFinite(speed) || speed <= 0) throw new BenchFailure('--speed must be a positive number');
  const say = (line: string) => process.stdout.write(`${line}\n`);

  say('Queue benchmark: the busiest day of a real call-centre log replayed through the queue engine and the gateway');
  say(SOURCE_ACKNOWLEDGEMENT);
  const parsed = await readAnonbankFile(dataFile);
  say(`Log: ${dataFile}: ${parsed.rows.length} contacts, ${parsed.phantom} PHANTOM rows skipped, ${parsed.malformed} malformed rows skipped`);
  for (const bad of parsed.malformedExamples) say(`  malformed line ${bad.line}: ${bad.reason}`);

  const busiest = busiestDay(parsed.rows);
  const trace = toTrace(busiest.day, busiest.rows);
  say(
    `Busiest business day: ${busiest.day} (04:00 to 04:00, log times as ${TIME_ZONE} wall clock): ${trace.arrivals} tickets, ` +
      `${trace.served} served at ${trace.desks.length} agent desks, ${trace.abandoned} abandoned (${trace.abandonedAtOnce} of them hung up in the voice menu: issued and cancelled at once), ` +
      `${trace.appointments} appointments (priority 2)`,
  );
  if (trace.servedWithoutAgent > 0) say(`  ${trace.servedWithoutAgent} served contacts have no agent code (NO_SERVER): served at desk d-no-server`);
  for (const line of describeTrace(trace)) say(line);
  say('  timing: called at arrival + q_time by the agent\'s desk (callSpecific, so the log decides, not our policy), started at once, finished ser_time later; HANG cancelled at arrival + q_time');

  const engine = replayEngine(trace);
  say(
    `Engine replay (SQLite file, clock = log time, full speed): ${engine.tickets} tickets, ${engine.transitions} transitions in ${(engine.wallMs / 1000).toFixed(3)} s → ${Math.round(engine.ticketsPerS)} tickets/s`,
  );
  say(`  transition: ${fmtSummary(engine.transition)}`);
  for (const [kind, s] of Object.entries(engine.byKind)) if (s.count > 0) say(`    ${kind.padEnd(7)} (${s.count}): ${fmtSummary(s)}`);
  say(`  checks passed: ${engine.checks.join('; ')}`);

  let gw: GatewayResult | undefined;
  let live: ConcurrentResult | undefined;
  if (values['engine-only']) {
    say('Gateway replays: skipped (--engine-only)');
  } else {
    gw = await replayGateway(trace, gatewayTickets);
    say(
      `Gateway replay (in-process gateway, loopback; desk commands over HTTP, board on MQTT over WebSocket): first ${gw.tickets} tickets of the day, one after another: ` +
        `${gw.callsMeasured} issue→call→finish, ${gw.cancelled} issue→cancel; ${gw.commands} commands in ${(gw.wallMs / 1000).toFixed(2)} s`,
    );
    say(`  call → board (command sent → CallEvent received): ${fmtSummary(gw.callToBoard, 2)}`);
    say(`  command round trip (HTTP):                       ${fmtSummary(gw.commandRtt, 2)}`);
    if (gw.strayCallEvents > 0) say(`  ${gw.strayCallEvents} call events matched no pending call`);

    live = await replayConcurrent(trace, speed);
    say(
      `Gateway replay at the log's concurrency (same set-up, log time ×${live.speed}): ${live.tickets} tickets, up to ${live.waitingMax} waiting at once (log: ${live.traceWaitingMax}); ` +
        `${live.calls} call-next by policy (${live.queueEmpty} found the queue empty), ${live.cancelled} walk-aways cancelled, ${live.calledBeforeLeaving} called before they left; ${live.commands} commands in ${(live.wallMs / 1000).toFixed(1)} s`,
    );
    say(`  call → board (call-next sent → CallEvent received): ${fmtSummary(live.callToBoard, 2)}`);
    say(`  command round trip (HTTP):                         ${fmtSummary(live.commandRtt, 2)}`);
    say(`  command sent after its compressed log time by:     ${fmtSummary(live.sendLag, 2)}`);
    say(`  longest event-loop stall (gateway and clients share it): ${ms(live.eventLoopDelayMaxMs, 0)}`);
    if (live.strayCallEvents > 0) say(`  ${live.strayCallEvents} call events matched no pending call`);
    if (live.retries > 0) say(`  ${live.retries} commands sent again with their request id after a lost connection or ${COMMAND_TIMEOUT_MS / 1000} s without an answer`);
  }

  const tpsMet = engine.ticketsPerS >= TARGET_TICKETS_PER_S;
  say(`Target tickets/s ≥ ${TARGET_TICKETS_PER_S} (engine replay): ${Math.round(engine.ticketsPerS)}: ${tpsMet ? 'met' : 'NOT MET'}`);
  if (live) {
    const met = live.callToBoard.p99 <= TARGET_CALL_TO_BOARD_P99_MS;
    say(`Target call→board p99 ≤ ${TARGET_CALL_TO_BOARD_P99_MS} ms (loopback, at the log's concurrency): ${ms(live.callToBoard.p99, 2)}: ${met ? 'met' : 'NOT MET'}`);
  }

  if (values.json) {
    const result = {
      tickets: engine.tickets,
      tickets_per_s: Math.round(engine.ticketsPerS),
      transition_p99_ms: round(engine.transition.p99, 3),
      // From the replay at the log's concurrency; the one-at-a-time replay's are sequential_*.
      call_to_board_p99_ms: live ? round(live.callToBoard.p99, 2) : null,
      busiest_day: busiest.day,
      transitions: engine.transitions,
      transition_p50_ms: round(engine.transition.p50, 3),
      engine_wall_s: round(engine.wallMs / 1000, 3),
      gateway_tickets: gw?.tickets ?? 0,
      call_to_board_p50_ms: live ? round(live.callToBoard.p50, 2) : null,
      command_rtt_p50_ms: live ? round(live.commandRtt.p50, 2) : null,
      command_rtt_p99_ms: live ? round(live.commandRtt.p99, 2) : null,
      sequential_call_to_board_p99_ms: gw ? round(gw.callToBoard.p99, 2) : null,
      sequential_command_rtt_p99_ms: gw ? round(gw.commandRtt.p99, 2) : null,
      concurrent_speed: live?.speed ?? null,
      concurrent_waiting_max: live?.waitingMax ?? null,
      trace_waiting_max: live?.traceWaitingMax ?? null,
      concurrent_calls: live?.calls ?? null,
      concurrent_send_lag_p99_ms: live ? round(live.sendLag.p99, 2) : null,
      concurrent_command_retries: live?.retries ?? null,
    };
    say(JSON.stringify(result));
  }
}

runBench('bench:queue', main);
