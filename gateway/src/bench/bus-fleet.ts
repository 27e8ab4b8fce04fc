/**
 * The store's MQTT clients for `bench:bus`, driven through a plan (bus-mix.ts) against one
 * broker, and what they measure. The same code runs against the gateway and against Mosquitto +
 * the stand-in; only the URLs and the credentials differ.
 *
 * Measured end to end, per message, in this process's clock (send and receipt are both here):
 * - `call`:  desk's call-next sent over HTTP → the call event on every lounge board
 *            (joined on desk + ticket number from the command's answer).
 * - `board`: a bay's action scan published → the order's new stage on every board and desk console
 *            (workshop/board/changes; the k-th stage change of an order is its k-th action).
 * - `tap`:   a reader's tap published → the greeting or refusal on its kiosk / desk console
 *            (the tap's `at` carries a unique fraction of a millisecond and comes back as `tapAt`).
 * - `scan`:  a scan published → its result on the scanner (one scan in flight per scanner).
 * - `state`: a device state published → every desk console (`at` unique, as for taps).
 * Every other delivery (queue/services, queue/service/{s}, queue/calls, queue/mode, print/jobs, …)
 * is counted, not timed: those messages carry no field that identifies the command behind them.
 */
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { topics } from '../protocol/index.js';
import type { Login } from './bus-credentials.js';
import { memberCard, STORE_ID, type Chain, type Member, type Population, type StoreSetup } from './bus-mix.js';
import { rng } from '../demo/demo-members.js';

export const LATENCY_CLASSES = ['call', 'board', 'tap', 'scan', 'state'] as const;
export type LatencyClass = (typeof LATENCY_CLASSES)[number];

const RESULT_TIMEOUT_MS = 10_000;
const DRAIN_TIMEOUT_MS = 20_000;
const QUIET_MS = 150;

export interface Target {
  tcpUrl: string;
  wsUrl: string;
  httpBase: string;
  logins: ReadonlyMap<string, Login>;
  staffToken: string;
}

export interface PhaseResult {
  wallMs: number;
  /** Device publishes the broker accepted (PUBACK for QoS 1, written for QoS 0 heartbeats). */
  uplink: number;
  /** Messages the broker delivered to the bench's clients (screens and devices). */
  delivered: number;
  deliveredByTopic: Record<string, number>;
  httpCommands: number;
  latency: Record<LatencyClass, number[]>;
  /** Timed messages that never arrived (after a 20 s drain). */
  missing: Record<LatencyClass, number>;
  errors: string[];
}

interface Phase {
  start: number;
  active: boolean;
  uplink: number;
  delivered: number;
  lastDelivery: number;
  byTopic: Map<string, number>;
  http: number;
  latency: Record<LatencyClass, number[]>;
  errors: string[];
  /** Set when a client is disconnected by the broker: every chain stops. */
  aborted: string | undefined;
  /** Index of the first call / board expectation of this phase. */
  callFrom: number;
  boardFrom: Map<string, number>;
}

const emptyLatency = (): Record<LatencyClass, number[]> => ({ call: [], board: [], tap: [], scan: [], state: [] });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The part of a topic below the store: `queue/service/repair` → `queue/service/+` for counting. */
function topicClass(topic: string): string {
  const rest = topic.split('/').slice(3);
  if (rest[0] === 'device' || rest[0] === 'kiosk' || rest[0] === 'desk') rest[1] = '+';
  if (rest[0] === 'queue' && rest[1] === 'service' && rest.length === 3) rest[2] = '+';
  return rest.join('/');
}

let uniqueSeq = 0;
/** An ISO time whose sub-millisecond digits make it unique in the run (the schemas allow any precision). */
function uniqueAt(): string {
  uniqueSeq += 1;
  return new Date().toISOString().replace('Z', `${String(uniqueSeq % 1_000_000).padStart(6, '0')}Z`);
}

interface Client {
  member: Member;
  mqtt: MqttClient;
}

type Stage = 'dispatched' | 'in-repair' | 'paused';

/** What one chain keeps between its steps. */
interface ChainContext {
  random: () => number;
  /** The desk's ticket between call-next and finish. */
  ticket?: string | undefined;
}

/** The clients of one store on one broker. */
export class Fleet {
  private phase: Phase | undefined;
  private readonly clients = new Map<string, Client>();
  // Timed-message bookkeeping, for the whole life of the fleet (phases keep indexes into it).
  private readonly taps = new Map<string, number>();
  private readonly states = new Map<string, { t0: number; left: number }>();
  private readonly callsExpected: { key: string; t0: number }[] = [];
  private readonly callsSeen = new Map<string, number[]>();
  private readonly boardExpected = new Map<string, number[]>();
  /** Per receiver (board or desk console), per order: the times its stage changed. */
  private readonly boardSeen = new Map<string, Map<string, number[]>>();
  private readonly boardStage = new Map<string, Map<string, string>>();
  private readonly scanWaiters = new Map<string, (result: { code: string; at: number }) => void>();
  private readonly orderStage = new Map<string, Stage>();
  private readonly scanPairs = new Map<string, number>();
  private readonly dead = new Set<string>();
  private readonly uptime = performance.now();
  private closing = false;
  readonly problems: string[] = [];

  private constructor(
    private readonly target: Target,
    private readonly pop: Population,
    private readonly setup: StoreSetup,
    private readonly seed: number,
  ) {
    for (const orders of setup.bayOrders.values()) for (const no of orders) this.orderStage.set(no, 'dispatched');
  }

  get boards(): number {
    return this.pop.screens.filter((s) => s.role === 'board').length;
  }

  get deskConsoles(): number {
    return this.pop.screens.filter((s) => s.role === 'desk').length;
  }

  static async connect(target: Target, pop: Population, setup: StoreSetup, seed: number): Promise<Fleet> {
    const fleet = new Fleet(target, pop, setup, seed);
    await Promise.all([...pop.devices.map((d) => fleet.open(d, target.tcpUrl)), ...pop.screens.map((s) => fleet.open(s, target.wsUrl))]);
    // Retained board and snapshots arrive with the subscriptions; let them land before any phase.
    await sleep(500);
    return fleet;
  }

  private async open(member: Member, url: string): Promise<void> {
    const login = this.target.logins.get(member.id);
    if (!login) throw new Error(`no credentials for ${member.id}`);
    const options: IClientOptions = {
      clientId: login.clientId,
      username: login.username,
      password: login.password,
      protocolVersion: 4,
      clean: true,
      keepalive: 30,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
    };
    if (member.role !== 'board' && member.role !== 'kiosk' && member.role !== 'desk') {
      // A device's will: its state offline, retained (firmware-config/TOPICS.md).
      options.will = { topic: topics.deviceState(STORE_ID, member.id), payload: Buffer.from(JSON.stringify(stateOf(member, false, 0))), qos: 1, retain: true };
    }
    const client = await mqtt.connectAsync(url, options).catch((err: unknown) => {
      throw new Error(`${member.id} could not connect to ${url}: ${(err as Error).message}`);
    });
    // The gateway's own device agents do the same (adapters/nfc/reader-link.ts).
    (client.stream as Partial<Socket>).setNoDelay?.(true);
    client.on('message', (topic, payload) => this.receive(member, topic, payload));
    client.on('close', () => {
      if (this.closing || this.dead.has(member.id)) return;
      this.dead.add(member.id);
      const why = `${member.id}: connection closed by the broker`;
      this.problems.push(why);
      if (this.phase) this.abort(this.phase, why);
    });
    this.clients.set(member.id, { member, mqtt: client });
    const filters = subscriptionsOf(member);
    if (filters.length === 0) return;
    const granted = await client.subscribeAsync(filters, { qos: 1 });
    const refused = granted.filter((g) => g.qos === 128).map((g) => g.topic);
    if (refused.length > 0) throw new Error(`${member.id}: subscriptions refused: ${refused.join(', ')}`);
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all([...this.clients.values()].map((c) => c.mqtt.endAsync(true).catch(() => undefined)));
  }

  // ------------------------------------------------------------------------------------------
  // Receiving

  private receive(member: Member, topic: string, payload: Buffer): void {
    const at = performance.now();
    const phase = this.phase;
    const cls = topicClass(topic);
    if (phase?.active) {
      phase.delivered += 1;
      phase.lastDelivery = at;
      phase.byTopic.set(cls, (phase.byTopic.get(cls) ?? 0) + 1);
    }
    switch (cls) {
      case 'queue/call': {
        const call = JSON.parse(payload.toString()) as { desk: string; ticketNumber: string; recall: boolean };
        const key = `${call.desk}|${call.ticketNumber}|${call.recall}`;
        const seen = this.callsSeen.get(key) ?? [];
        seen.push(at);
        this.callsSeen.set(key, seen);
        break;
      }
      case 'workshop/board':
      case 'workshop/board/changes': {
        const board = JSON.parse(payload.toString()) as { orders: { no: string; stage: string }[] };
        const stages = this.boardStage.get(member.id) ?? new Map<string, string>();
        const seen = this.boardSeen.get(member.id) ?? new Map<string, number[]>();
        for (const order of board.orders) {
          const before = stages.get(order.no);
          stages.set(order.no, order.stage);
          if (before !== undefined && before !== order.stage && this.orderStage.has(order.no)) seen.set(order.no, [...(seen.get(order.no) ?? []), at]);
        }
        this.boardStage.set(member.id, stages);
        this.boardSeen.set(member.id, seen);
        break;
      }
      case 'kiosk/+/session':
      case 'desk/+/session': {
        const session = JSON.parse(payload.toString()) as { tapAt: string; result?: string };
        const t0 = this.taps.get(session.tapAt);
        if (t0 === undefined) break;
        this.taps.delete(session.tapAt);
        phase?.latency.tap.push(at - t0);
        if (session.result !== 'greeting' && session.result !== 'member') phase?.errors.push(`tap ${session.tapAt} answered ${session.result}`);
        break;
      }
      case 'device/+/state': {
        const state = JSON.parse(payload.toString()) as { at: string };
        const sent = this.states.get(state.at);
        if (!sent) break;
        phase?.latency.state.push(at - sent.t0);
        if (process.env['BUS_DEBUG'] && phase && at - sent.t0 > 100) process.stderr.write(`slow state to ${member.id}: sent at +${(sent.t0 - phase.start).toFixed(0)} ms, ${(at - sent.t0).toFixed(0)} ms\n`);
        sent.left -= 1;
        if (sent.left === 0) this.states.delete(state.at);
        break;
      }
      case 'device/+/scan/result': {
        const result = JSON.parse(payload.toString()) as { code: string };
        const waiter = this.scanWaiters.get(member.id);
        this.scanWaiters.delete(member.id);
        waiter?.({ code: result.code, at });
        break;
      }
    }
  }

  // ------------------------------------------------------------------------------------------
  // Sending

  /**
   * Runs the chains: paced, each step at its planned time (a step waits only for the one before
   * it in its chain: the PUBACK, the HTTP answer, a scan's result); unpaced, back to back.
   */
  async run(chains: readonly Chain[], paced: boolean): Promise<PhaseResult> {
    const boardFrom = new Map([...this.orderStage.keys()].map((no) => [no, this.boardExpected.get(no)?.length ?? 0]));
    const phase: Phase = {
      start: performance.now(),
      active: true,
      uplink: 0,
      delivered: 0,
      lastDelivery: 0,
      byTopic: new Map(),
      http: 0,
      latency: emptyLatency(),
      errors: [],
      aborted: undefined,
      callFrom: this.callsExpected.length,
      boardFrom,
    };
    this.phase = phase;
    const problemsBefore = this.problems.length;
    let chainsDone = 0;
    const doneByKind = new Map<string, number>();
    await Promise.all(
      chains.map(async (chain, index) => {
        const ctx: ChainContext = { random: rng(this.seed * 7919 + index) };
        let due = phase.start;
        for (let i = 0; i < chain.steps && !phase.aborted; i++) {
          if (paced) {
            due += chain.gaps[i] ?? 0;
            const wait = due - performance.now();
            if (wait > 1) await sleep(wait);
          }
          try {
            await this.step(chain, i, ctx, phase);
          } catch (err) {
            phase.errors.push(`${chain.kind} ${chain.owner}: ${(err as Error).message}`);
          }
        }
        chainsDone = Math.max(chainsDone, performance.now());
        if (process.env['BUS_DEBUG']) doneByKind.set(chain.kind, Math.max(doneByKind.get(chain.kind) ?? 0, performance.now() - phase.start));
      }),
    );

    // Drain: every timed message arrived (or the drain timed out), then a quiet moment.
    if (process.env['BUS_DEBUG']) process.stderr.write(`chains done after ${(chainsDone - phase.start).toFixed(0)} ms (${[...doneByKind].map(([k, t]) => `${k} ${t.toFixed(0)}`).join(', ')}); outstanding ${JSON.stringify(this.outstanding(phase))}\n`);
    const until = performance.now() + DRAIN_TIMEOUT_MS;
    while (performance.now() < until) {
      const outstanding = this.outstanding(phase);
      if (Object.values(outstanding).every((n) => n === 0) && performance.now() - phase.lastDelivery > QUIET_MS) break;
      await sleep(20);
    }
    phase.active = false;
    this.phase = undefined;
    if (phase.aborted) phase.errors.unshift(`run aborted: ${phase.aborted}`);

    const missing = this.outstanding(phase);
    this.collect(phase);
    if (this.problems.length > problemsBefore) phase.errors.push(...this.problems.slice(problemsBefore));
    const end = Math.max(chainsDone, phase.lastDelivery);
    return {
      wallMs: end - phase.start,
      uplink: phase.uplink,
      delivered: phase.delivered,
      deliveredByTopic: Object.fromEntries([...phase.byTopic.entries()].sort((a, b) => b[1] - a[1])),
      httpCommands: phase.http,
      latency: phase.latency,
      missing,
      errors: phase.errors,
    };
  }

  private abort(phase: Phase, why: string): void {
    phase.aborted ??= why;
  }

  /** Timed messages still expected. */
  private outstanding(phase: Phase): Record<LatencyClass, number> {
    let call = 0;
    for (const { key } of this.callsExpected.slice(phase.callFrom)) call += Math.max(0, this.boards - (this.callsSeen.get(key)?.length ?? 0));
    let board = 0;
    const receivers = this.pop.screens.filter((s) => s.role === 'board' || s.role === 'desk');
    for (const [no, expected] of this.boardExpected) {
      for (const r of receivers) board += Math.max(0, expected.length - (this.boardSeen.get(r.id)?.get(no)?.length ?? 0));
    }
    let state = 0;
    for (const s of this.states.values()) state += s.left;
    return { call, board, tap: this.taps.size, scan: this.scanWaiters.size, state };
  }

  /** Joins the call and board expectations of the phase with their receipts. */
  private collect(phase: Phase): void {
    for (const { key, t0 } of this.callsExpected.slice(phase.callFrom)) for (const at of this.callsSeen.get(key) ?? []) phase.latency.call.push(at - t0);
    const receivers = this.pop.screens.filter((s) => s.role === 'board' || s.role === 'desk');
    for (const [no, expected] of this.boardExpected) {
      const from = phase.boardFrom.get(no) ?? 0;
      for (const r of receivers) {
        const seen = this.boardSeen.get(r.id)?.get(no) ?? [];
        for (let k = from; k < expected.length; k++) {
          const at = seen[k];
          if (at !== undefined) phase.latency.board.push(at - (expected[k] ?? at));
        }
      }
    }
    // Taps and states never answered stay in their maps: drop them, they are counted as missing.
    this.taps.clear();
    this.states.clear();
  }

  private client(id: string): MqttClient {
    const client = this.clients.get(id)?.mqtt;
    if (!client) throw new Error(`no client ${id}`);
    return client;
  }

  /** Resolves on the PUBACK (QoS 1) or once written (QoS 0); a dead connection or a silent broker is an error. */
  private publish(id: string, topic: string, payload: unknown, qos: 0 | 1, retain = false): Promise<void> {
    if (this.dead.has(id)) return Promise.reject(new Error(`${id} is disconnected`));
    let timer: NodeJS.Timeout | undefined;
    return new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`no PUBACK for ${topic} within ${RESULT_TIMEOUT_MS} ms`)), RESULT_TIMEOUT_MS);
      this.client(id).publish(topic, JSON.stringify(payload), { qos, retain }, (err) => (err ? reject(err) : resolve()));
    }).finally(() => clearTimeout(timer));
  }

  private async step(chain: Chain, i: number, ctx: ChainContext, phase: Phase): Promise<void> {
    const member = this.pop.devices.find((d) => d.id === chain.owner);
    switch (chain.kind) {
      case 'desk':
        return this.deskStep(chain.owner, i, ctx, phase);
      case 'heartbeat': {
        await this.publish(chain.owner, topics.deviceHeartbeat(STORE_ID, chain.owner), { at: new Date().toISOString(), uptimeS: Math.floor((performance.now() - this.uptime) / 1000) }, 0);
        phase.uplink += 1;
        return;
      }
      case 'state': {
        if (!member) throw new Error(`unknown device ${chain.owner}`);
        const state = stateOf(member, true, i);
        const t0 = performance.now();
        if (this.deskConsoles > 0) this.states.set(state.at, { t0, left: this.deskConsoles });
        await this.publish(chain.owner, topics.deviceState(STORE_ID, chain.owner), state, 1, true);
        phase.uplink += 1;
        return;
      }
      case 'tap': {
        const memberId = 1 + Math.floor(ctx.random() * this.setup.members);
        const at = uniqueAt();
        this.taps.set(at, performance.now());
        await this.publish(chain.owner, topics.deviceTap(STORE_ID, chain.owner), { kind: 'ntag', ...memberCard(memberId), at }, 1);
        phase.uplink += 1;
        return;
      }
      case 'scan':
        return this.scanStep(chain.owner, phase);
    }
  }

  /** A bay technician: job card, then the action that moves the order on; waits for each result like a person waits for the beep. */
  private async scanStep(scanner: string, phase: Phase): Promise<void> {
    const orders = this.setup.bayOrders.get(scanner) ?? [];
    const pair = this.scanPairs.get(scanner) ?? 0;
    const no = orders[Math.floor(pair / 2) % orders.length] ?? '';
    const isAction = pair % 2 === 1;
    const stage = this.orderStage.get(no) ?? 'dispatched';
    const [code, next]: [string, Stage | undefined] = !isAction
      ? [`${no}/1`, undefined]
      : stage === 'in-repair'
        ? ['ACT-PAUSE-PARTS', 'paused']
        : [stage === 'dispatched' ? 'ACT-START' : 'ACT-RESUME', 'in-repair'];
    const answered = new Promise<{ code: string; at: number }>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.scanWaiters.delete(scanner);
        reject(new Error(`no scan result within ${RESULT_TIMEOUT_MS} ms`));
      }, RESULT_TIMEOUT_MS);
      this.scanWaiters.set(scanner, (r) => (clearTimeout(timer), resolve(r)));
    });
    // Handled here too: the time-out may fire while the publish is still waiting for its PUBACK.
    answered.catch(() => undefined);
    const t0 = performance.now();
    if (next) this.boardExpected.set(no, [...(this.boardExpected.get(no) ?? []), t0]);
    await this.publish(scanner, topics.deviceScan(STORE_ID, scanner), { code, at: new Date().toISOString() }, 1);
    phase.uplink += 1;
    this.scanPairs.set(scanner, pair + 1);
    if (next) this.orderStage.set(no, next);
    const result = await answered;
    phase.latency.scan.push(result.at - t0);
    const expected = next ? 'done' : 'card-read';
    if (result.code !== expected) phase.errors.push(`scan ${code} on ${scanner}: ${result.code}, expected ${expected}`);
  }

  /** A ticket's life in three commands: issued at the desk's kiosk, called next, finished. */
  private async deskStep(desk: string, i: number, ctx: ChainContext, phase: Phase): Promise<void> {
    const services = this.pop.desks.find((d) => d.id === desk)?.services ?? [];
    const kiosk = `kiosk-${desk}`;
    switch (i % 3) {
      case 0:
        await this.command({ action: 'issue', service: services[Math.floor(i / 3) % services.length] }, this.target.logins.get(kiosk)?.password ?? this.target.staffToken, phase);
        return;
      case 1: {
        const t0 = performance.now();
        const answer = await this.command({ action: 'call-next', desk }, this.target.staffToken, phase);
        if (!answer.ticket) throw new Error('call-next answered without a ticket');
        const key = `${desk}|${answer.ticket.number}|false`;
        this.callsExpected.push({ key, t0 });
        ctx.ticket = answer.ticket.id;
        return;
      }
      default: {
        if (ctx.ticket) await this.command({ action: 'finish', desk, ticketId: ctx.ticket }, this.target.staffToken, phase);
        ctx.ticket = undefined;
      }
    }
  }

  private async command(body: object, token: string, phase: Phase): Promise<{ ticket?: { id: string; number: string } }> {
    const res = await fetch(`${this.target.httpBase}/api/queue/commands`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    const answer = (await res.json()) as { ticket?: { id: string; number: string }; error?: { code: string; message: string } };
    phase.http += 1;
    if (!res.ok) throw new Error(`HTTP ${res.status} for ${JSON.stringify(body)}: ${answer.error?.code} ${answer.error?.message}`);
    return answer;
  }
}

function stateOf(member: Member, online: boolean, i: number): { kind: Member['kind']; online: boolean; health: 'ok' | 'warning' | 'error'; reason?: string; at: string } {
  if (!online) return { kind: member.kind, online, health: 'error', reason: 'offline', at: new Date().toISOString() };
  return i % 2 === 1 ? { kind: member.kind, online, health: 'warning', reason: member.kind === 'printer' ? 'paper-low' : 'reconnected', at: uniqueAt() } : { kind: member.kind, online, health: 'ok', at: uniqueAt() };
}

/** What each client subscribes to: the real screens' and devices' subscriptions (kiosk-ui, board-ui). */
export function subscriptionsOf(member: Member): string[] {
  const s = STORE_ID;
  const common = [topics.storeInfo(s), topics.gatewayStatus(s)];
  switch (member.role) {
    case 'board':
      return [...common, topics.queueCalls(s), topics.queueServices(s), topics.queueMode(s), topics.queueCall(s), topics.workshopBoard(s), topics.workshopBoardChanges(s)];
    case 'kiosk':
      return [...common, topics.queueServices(s), topics.queueMode(s), topics.kioskSession(s, member.id)];
    case 'desk':
      return [
        ...common,
        topics.queueDesks(s),
        topics.queueServices(s),
        topics.queueServiceAll(s),
        topics.queueMode(s),
        topics.workshopBoard(s),
        topics.workshopBoardChanges(s),
        topics.deviceStateAll(s),
        topics.deskSession(s, member.station ?? ''),
        topics.printJobs(s),
      ];
    case 'dispenser':
      return [topics.queueServices(s), topics.queueMode(s)];
    case 'scanner':
      return [topics.deviceScanResult(s, member.id)];
    case 'kiosk-reader':
    case 'desk-reader':
      return [topics.deviceWrite(s, member.id)];
    case 'printer':
      return [];
  }
}
