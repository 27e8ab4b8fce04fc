/**
 * The people of `bench:store`, acting out the load (load.ts) on the devices and screens:
 * - customers take tickets at a kiosk (the kiosk's HTTP issue and print, with its device token)
 *   or at a dispenser button, tap member cards on the readers;
 * - desks, by policy: a free desk calls the next ticket of its services; the customer stays for
 *   the contact's service time and the desk finishes, or, when the contact had hung up by then,
 *   the desk marks a no-show after a short wait; with nobody waiting it looks again 0.7-1.3 s later
 *   (seeded), as a receptionist glancing at the queue would (every 1 s exactly, the idle desks kept
 *   in step, and 2 or 3 of them called within the same few ms whenever a ticket came);
 * - the workshop controller moves orders between in repair and paused over HTTP; bay technicians
 *   scan a job card and then an action on their serial scanners.
 */
import { performance } from 'node:perf_hooks';
import { rng } from '../../demo/demo-members.js';
import { memberCard } from '../bus-mix.js';
import type { DeviceRig } from './devices.js';
import { BUTTON_OF_SERVICE, type Arrival, type StoreLoad } from './load.js';
import type { Screens } from './screens.js';

/** A desk waits this long (store time) for a called customer before marking a no-show. */
const NO_SHOW_WAIT_MS = 10_000;
/** A called customer who waited and is served: this long at the desk when the log has no service time (store time). */
const DEFAULT_SERVICE_MS = 120_000;
/** A desk with nobody to call looks again after about this long (real time), ±30 %. */
const LOOK_AGAIN_MS = 1000;
/** Between a job card and its action sheet at a bay. */
const SCAN_GAP_MS = 300;

export interface Desk {
  id: string;
  services: string[];
}

export interface Staff {
  httpBase: string;
  /** Receptionist's token for the desks; the workshop controller's for stage commands. */
  deskToken: string;
  workshopToken: string;
  kioskTokens: ReadonlyMap<string, string>;
}

export interface PlayResult {
  tickets: { kiosk: number; dispenser: number };
  /** Dispenser tickets: button pressed (epoch ms), number, printer. */
  presses: { pressedAt: number; number: string; printer: string }[];
  served: number;
  noShows: number;
  stageMoves: number;
  scans: number;
  taps: number;
  errors: string[];
}

type Stage = 'dispatched' | 'in-repair' | 'paused';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

export class People {
  private readonly ticketOf = new Map<string, Arrival>();
  /** When an idle desk looks again (seeded: the same run gives the same times). */
  private readonly lookAgain: () => number;
  private readonly result: PlayResult = { tickets: { kiosk: 0, dispenser: 0 }, presses: [], served: 0, noShows: 0, stageMoves: 0, scans: 0, taps: 0, errors: [] };
  private start = 0;
  private over = false;
  private ended: () => void = () => undefined;
  /** Resolves when the last customer has arrived and every scan, tap and stage command is done. */
  private readonly end = new Promise<void>((resolve) => (this.ended = resolve));

  constructor(
    private readonly load: StoreLoad,
    private readonly rig: DeviceRig,
    private readonly screens: Screens,
    private readonly staff: Staff,
    private readonly desks: readonly Desk[],
    private readonly workshop: { moved: string[]; bays: string[][] },
    private readonly members: number,
  ) {
    this.lookAgain = rng(load.seed + 1);
  }

  /**
   * Before the clock starts, each desk calls and finishes `rounds` tickets of its own, so the run's
   * first calls are not also the gateway's first run of the call path (compiled lazily, statements
   * prepared on first use): one call in thousands of a store's day, but here the first 6 of about
   * 200, and a p99 over 20 boards is set by the 2 or 3 slowest calls.
   */
  async warmUp(rounds: number): Promise<number> {
    const kiosk = [...this.staff.kioskTokens.values()][0] ?? '';
    let calls = 0;
    for (let round = 0; round < rounds; round += 1) {
      for (const desk of this.desks) {
        await this.post('/api/queue/commands', { action: 'issue', service: desk.services[0] }, kiosk);
        const { ticket } = await this.post<{ ticket?: { id: string } }>('/api/queue/commands', { action: 'call-next', desk: desk.id }, this.staff.deskToken);
        if (!ticket) throw new Error(`warm-up: desk ${desk.id} called no ticket`);
        await this.post('/api/queue/commands', { action: 'finish', desk: desk.id, ticketId: ticket.id }, this.staff.deskToken);
        calls += 1;
      }
    }
    return calls;
  }

  /** Plays the whole load; resolves when every source is done and the desks have stopped. */
  async play(): Promise<PlayResult> {
    this.start = performance.now();
    const sources = [
      ...this.load.arrivals.map((a) => this.at(a.at, () => this.arrive(a))),
      ...this.load.stageMoves.map((t, i) => this.at(t, () => this.move(i))),
      ...this.load.scans.flatMap((times, bay) => this.bayTechnician(bay, times)),
      ...this.load.taps.flatMap((times, reader) => (this.rig.readers[reader] ? times.map((t) => this.at(t, () => this.tap(reader))) : [])),
    ];
    const desks = this.desks.map((d) => this.deskLoop(d));
    await Promise.all(sources);
    this.over = true;
    this.ended();
    await Promise.all(desks);
    return this.result;
  }

  private async at(due: number, act: () => Promise<void>): Promise<void> {
    await sleep(this.start + due - performance.now());
    await act().catch((err: unknown) => this.result.errors.push((err as Error).message));
  }

  private async arrive(a: Arrival): Promise<void> {
    if (a.channel.kind === 'kiosk') {
      const kiosk = `kiosk-${a.channel.index + 1}`;
      const token = this.staff.kioskTokens.get(kiosk) ?? '';
      const { ticket } = await this.post<{ ticket: { id: string; number: string } }>('/api/queue/commands', { action: 'issue', service: a.service }, token);
      this.ticketOf.set(ticket.number, a);
      this.result.tickets.kiosk += 1;
      await this.post(`/api/print/ticket/${ticket.id}`, { printer: `kiosk-printer-${a.channel.index + 1}` }, token);
      return;
    }
    const dispenser = `dispenser-${a.channel.index + 1}`;
    const pressedAt = Date.now();
    const answer = await this.rig.press(dispenser, BUTTON_OF_SERVICE[a.service]);
    if (answer.result !== 'issued') throw new Error(`${dispenser}: button ${BUTTON_OF_SERVICE[a.service]} answered ${answer.result}`);
    this.ticketOf.set(answer.number, a);
    this.result.tickets.dispenser += 1;
    this.result.presses.push({ pressedAt, number: answer.number, printer: `dispenser-printer-${a.channel.index + 1}` });
  }

  private async deskLoop(desk: Desk): Promise<void> {
    const speedup = this.load.speedup;
    while (!this.over) {
      const t0 = performance.now();
      let ticket: { id: string; number: string } | undefined;
      try {
        ticket = (await this.post<{ ticket?: { id: string; number: string } }>('/api/queue/commands', { action: 'call-next', desk: desk.id }, this.staff.deskToken)).ticket;
      } catch (err) {
        if (!(err as Error).message.includes('queue-empty')) this.result.errors.push((err as Error).message);
      }
      if (!ticket) {
        await Promise.race([sleep(LOOK_AGAIN_MS * (0.7 + 0.6 * this.lookAgain())), this.end]);
        continue;
      }
      this.screens.expectCall(desk.id, ticket.number, t0);
      const contact = this.ticketOf.get(ticket.number);
      const now = performance.now() - this.start;
      const left = contact?.abandonAt !== undefined && contact.abandonAt <= now;
      // At the end of the run every desk finishes at once, so that the run ends on time.
      const stay = left ? NO_SHOW_WAIT_MS / speedup : contact?.serviceMs || DEFAULT_SERVICE_MS / speedup;
      await Promise.race([sleep(stay), this.end]);
      const action = left ? 'no-show' : 'finish';
      await this.post('/api/queue/commands', { action, desk: desk.id, ticketId: ticket.id }, this.staff.deskToken).then(
        () => (left ? (this.result.noShows += 1) : (this.result.served += 1)),
        (err: unknown) => this.result.errors.push((err as Error).message),
      );
    }
  }

  private readonly moved = new Map<string, Stage>();

  /** The workshop controller toggles an order between in repair and paused (waiting for parts). */
  private async move(i: number): Promise<void> {
    const no = this.workshop.moved[i % this.workshop.moved.length] ?? '';
    const to: Stage = (this.moved.get(no) ?? 'in-repair') === 'in-repair' ? 'paused' : 'in-repair';
    this.moved.set(no, to);
    this.screens.expectStage(no, to, performance.now());
    await this.post('/api/workshop/commands', to === 'paused' ? { action: 'move', order: no, to, reason: 'parts' } : { action: 'move', order: no, to }, this.staff.workshopToken);
    this.result.stageMoves += 1;
  }

  /** A bay's technician: job card, then the action that moves the order on (bus-fleet.ts scanStep). */
  private bayTechnician(bay: number, times: number[]): Promise<void>[] {
    const orders = this.workshop.bays[bay] ?? [];
    const stage = new Map<string, Stage>(orders.map((no) => [no, 'dispatched']));
    return times.map((t, k) =>
      this.at(t, async () => {
        const no = orders[k % orders.length] ?? '';
        const now = stage.get(no) ?? 'dispatched';
        const [code, next]: [string, Stage] = now === 'in-repair' ? ['ACT-PAUSE-PARTS', 'paused'] : [now === 'dispatched' ? 'ACT-START' : 'ACT-RESUME', 'in-repair'];
        this.rig.scan(bay, `${no}/1`);
        await sleep(SCAN_GAP_MS);
        this.rig.scan(bay, code);
        stage.set(no, next);
        this.result.scans += 2;
      }),
    );
  }

  /** A member holds a card on a reader (0: kiosk-1's, 1: desk 1's) until the screen greets them. */
  private async tap(reader: number): Promise<void> {
    const memberId = 1 + Math.floor(Math.random() * this.members);
    const station = reader === 0 ? 'kiosk-1' : '1';
    await this.rig.tap(reader, memberCard(memberId), () => this.screens.nextSession(station));
    this.result.taps += 1;
  }

  private async post<T = unknown>(path: string, body: object, token: string): Promise<T> {
    const res = await fetch(`${this.staff.httpBase}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    const answer = (await res.json()) as T & { error?: { code: string; message?: string } };
    if (!res.ok) throw new Error(`HTTP ${res.status} ${path} ${JSON.stringify(body)}: ${answer.error?.code} ${answer.error?.message ?? ''}`);
    return answer;
  }
}
