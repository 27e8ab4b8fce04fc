/**
 * The store's screens for `bench:store` as MQTT-over-WebSocket clients (mqtt.js in this process,
 * with the real screens' subscriptions, bus-fleet.ts subscriptionsOf, and their enrolled device
 * tokens): lounge boards, kiosks and desk consoles. They time what the customers see:
 * - a call on every board: from the desk's call-next sent to the `queue/call` event;
 * - a stage on every board: from the stage command sent to the order's new stage in the board's
 *   copy (snapshot, then changes), as bench:board's socket boards keep it;
 * - a tap: from the card event in the gateway's reader agent (`tapAt`, wall clock) to the session
 *   on the kiosk's or desk's screen (wall clock here: one machine, one clock; ms resolution);
 * - a ticket printed: `printedAt` of its job on `print/jobs` (the gateway's time of the printer's
 *   in-order answer), read by the desk consoles.
 */
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import mqtt, { type MqttClient } from 'mqtt';
import type { Login } from '../bus-credentials.js';
import { subscriptionsOf } from '../bus-fleet.js';
import type { Member } from '../bus-mix.js';

interface Expected {
  t0: number;
  seen: number[];
}

export class Screens {
  private readonly clients: MqttClient[] = [];
  private readonly calls = new Map<string, Expected>();
  /** Calls that arrived before their call-next's answer named the ticket. */
  private readonly earlyCalls = new Map<string, number[]>();
  private readonly stages = new Map<string, Expected>();
  private readonly boardStage = new Map<string, Map<string, string>>();
  private readonly sessionWaiters = new Map<string, (() => void)[]>();
  readonly tapMs: number[] = [];
  readonly tapProblems: string[] = [];
  /** printer|label → printedAt (epoch ms) of the first printed job of that ticket. */
  readonly printed = new Map<string, number>();
  private measuring = false;
  private since = 0;
  readonly problems: string[] = [];

  private constructor(private readonly boards: number) {}

  static async connect(wsUrl: string, members: readonly Member[], logins: ReadonlyMap<string, Login>): Promise<Screens> {
    const screens = new Screens(members.filter((m) => m.role === 'board').length);
    await Promise.all(members.map((m) => screens.open(wsUrl, m, logins.get(m.id))));
    return screens;
  }

  private async open(url: string, member: Member, login: Login | undefined): Promise<void> {
    if (!login) throw new Error(`no credentials for ${member.id}`);
    const client = await mqtt.connectAsync(url, { ...login, protocolVersion: 4, clean: true, keepalive: 30, reconnectPeriod: 0, connectTimeout: 10_000 }).catch((err: unknown) => {
      throw new Error(`${member.id} could not connect to ${url}: ${(err as Error).message}`);
    });
    (client.stream as Partial<Socket>).setNoDelay?.(true);
    client.on('message', (topic, payload) => this.receive(member, topic, payload));
    client.on('close', () => this.measuring && this.problems.push(`${member.id}: connection closed`));
    this.clients.push(client);
    const granted = await client.subscribeAsync(subscriptionsOf(member), { qos: 1 });
    const refused = granted.filter((g) => g.qos === 128).map((g) => g.topic);
    if (refused.length > 0) throw new Error(`${member.id}: subscriptions refused: ${refused.join(', ')}`);
  }

  /** From now on, what arrives is timed. */
  start(): void {
    this.measuring = true;
    this.since = Date.now();
  }

  stop(): void {
    this.measuring = false;
  }

  /** A call-next was sent at t0 (performance.now()) and answered with this ticket. */
  expectCall(desk: string, number: string, t0: number): void {
    const key = `${desk}|${number}`;
    const early = this.earlyCalls.get(key) ?? [];
    this.earlyCalls.delete(key);
    this.calls.set(key, { t0, seen: early });
  }

  /** A stage command for `no` → `stage` is about to be sent at t0. */
  expectStage(no: string, stage: string, t0: number): void {
    this.stages.set(`${no}|${stage}`, { t0, seen: [] });
  }

  /** Resolves with the next session shown on a kiosk's or a desk's screen. */
  nextSession(station: string): Promise<void> {
    return new Promise((resolve) => this.sessionWaiters.set(station, [...(this.sessionWaiters.get(station) ?? []), resolve]));
  }

  /** Every board's delay, ms, for every call and every stage command; and how many never arrived. */
  results(): { callMs: number[]; stageMs: number[]; missingCalls: number; missingStages: number } {
    const delays = (map: Map<string, Expected>) => [...map.values()].flatMap((e) => e.seen.map((at) => at - e.t0));
    const missing = (map: Map<string, Expected>) => [...map.values()].reduce((n, e) => n + Math.max(0, this.boards - e.seen.length), 0);
    return { callMs: delays(this.calls), stageMs: delays(this.stages), missingCalls: missing(this.calls), missingStages: missing(this.stages) };
  }

  /** Outstanding call and stage deliveries (to wait for at the end). */
  outstanding(): number {
    const r = this.results();
    return r.missingCalls + r.missingStages;
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.endAsync(true).catch(() => undefined)));
  }

  private receive(member: Member, topic: string, payload: Buffer): void {
    const at = performance.now();
    const kind = topic.split('/').slice(3);
    try {
      if (kind[0] === 'queue' && kind[1] === 'call' && kind.length === 2) {
        const call = JSON.parse(payload.toString()) as { desk: string; ticketNumber: string; recall: boolean };
        if (call.recall || !this.measuring) return;
        const key = `${call.desk}|${call.ticketNumber}`;
        const expected = this.calls.get(key);
        if (expected) expected.seen.push(at);
        else this.earlyCalls.set(key, [...(this.earlyCalls.get(key) ?? []), at]);
      } else if (kind[0] === 'workshop' && kind[1] === 'board' && member.role === 'board') {
        const board = JSON.parse(payload.toString()) as { orders: { no: string; stage: string }[] };
        const stages = this.boardStage.get(member.id) ?? new Map<string, string>();
        this.boardStage.set(member.id, stages);
        for (const order of board.orders) {
          if (stages.get(order.no) === order.stage) continue;
          stages.set(order.no, order.stage);
          this.stages.get(`${order.no}|${order.stage}`)?.seen.push(at);
        }
      } else if ((kind[0] === 'kiosk' || kind[0] === 'desk') && kind[2] === 'session') {
        const session = JSON.parse(payload.toString()) as { tapAt?: string; result?: string };
        if (!this.measuring || !session.tapAt || Date.parse(session.tapAt) < this.since) return;
        this.tapMs.push(Date.now() - Date.parse(session.tapAt));
        if (session.result !== 'greeting' && session.result !== 'member') this.tapProblems.push(`${topic}: ${session.result}`);
        const station = kind[1] ?? '';
        const waiters = this.sessionWaiters.get(station) ?? [];
        this.sessionWaiters.delete(station);
        waiters.forEach((w) => w());
      } else if (kind[0] === 'print' && kind[1] === 'jobs') {
        const list = JSON.parse(payload.toString()) as { jobs: { printer: string; label: string; state: string; printedAt: string | null; reprintOf: string | null }[] };
        for (const job of list.jobs) {
          const key = `${job.printer}|${job.label}`;
          if (job.state === 'printed' && job.printedAt && !job.reprintOf && !this.printed.has(key)) this.printed.set(key, Date.parse(job.printedAt));
        }
      }
    } catch (err) {
      this.problems.push(`${member.id} on ${topic}: ${(err as Error).message}`);
    }
  }
}
