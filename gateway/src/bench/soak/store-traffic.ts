import { WorkshopSteps, type OrderProgress } from '../../demo/workshop-steps.js';
import type { QueueCommand, WorkshopCommandInput } from '../../protocol/index.js';

/** The services of the default layout and the soak's six desks over them (soak.ts writes both into the config). */
export const SOAK_DESKS = [
  { id: '1', name: 1, services: ['maintenance', 'repair', 'claims'] },
  { id: '2', name: 2, services: ['maintenance', 'repair', 'claims'] },
  { id: '3', name: 3, services: ['maintenance', 'repair'] },
  { id: '4', name: 4, services: ['sales'] },
  { id: '5', name: 5, services: ['pickup', 'claims'] },
  { id: '6', name: 6, services: ['sales', 'pickup'] },
];
const SERVICES = ['maintenance', 'repair', 'claims', 'sales', 'pickup'];
/** Repair orders kept in the workshop at once: a busy service department's day. */
const OPEN_ORDERS = 40;
/** How long a kiosk waits for its ticket's printer to confirm: a printer prints about one ticket a second. */
const PRINT_WAIT_MS = 10_000;
/** Requests of one paced stream on their way at once. */
const MAX_IN_FLIGHT = 8;

export interface TrafficOptions {
  baseUrl: string;
  token: string;
  /** Kiosk printers: each kiosk takes a ticket, has it printed and waits for the printer's confirmation. */
  kioskPrinters: readonly string[];
  /** Tickets a second handed out besides the kiosks' (the dispensers and the desk at peak hours). */
  issuePerS: number;
  /** Workshop commands a second: cars arriving and orders moving through their stages. */
  workshopPerS: number;
  /** The gateway's clock (promised and appointment times are set by it). */
  gatewayNow: () => number;
  random: () => number;
}

/** What one day's traffic did, counted from the gateway's answers. */
export interface DayTraffic {
  issued: number;
  /** Tickets called, started and finished or marked no-show by the desks. */
  served: number;
  printed: number;
  /** Prints answered printer-not-ready or not-printed: a printer emulator had stopped answering or was slow. */
  notPrinted: number;
  ordersOpened: number;
  ordersReleased: number;
  workshopCommands: number;
  /** Answers that were neither a success nor an expected refusal (5xx, a network error), by kind. */
  failures: Map<string, number>;
  /** The first ticket's issue time as the gateway stamped it (its clock). */
  firstIssuedAt: string | undefined;
  /** Round trip of every command, ms (a print's wait for its printer excluded). */
  commandMs: number[];
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/**
 * A busy store's traffic over the gateway's HTTP API, as the screens send it: kiosks taking and
 * printing tickets, tickets handed out at a steady rate, six desks calling, serving and finishing
 * them, and a workshop moving orders through their stages (demo/workshop-steps.ts, as the demo
 * store does). Runs until stop(); every answer is counted.
 */
export class StoreTraffic {
  readonly day: DayTraffic = { issued: 0, served: 0, printed: 0, notPrinted: 0, ordersOpened: 0, ordersReleased: 0, workshopCommands: 0, failures: new Map(), firstIssuedAt: undefined, commandMs: [] };
  private running = true;
  private readonly loops: Promise<void>[];
  private readonly steps: WorkshopSteps;
  private readonly orders = new Map<string, OrderProgress>();

  /** Starts the traffic; the workshop carries on with the orders still open from the days before. */
  static async start(options: TrafficOptions): Promise<StoreTraffic> {
    const res = await fetch(`${options.baseUrl}/api/workshop/orders`, { headers: { authorization: `Bearer ${options.token}` } });
    if (!res.ok) throw new Error(`GET /api/workshop/orders answered ${res.status}`);
    const { orders } = (await res.json()) as { orders: OrderProgress[] };
    return new StoreTraffic(options, orders.filter((o) => o.stage !== 'released'));
  }

  private constructor(
    private readonly options: TrafficOptions,
    open: readonly OrderProgress[],
  ) {
    this.steps = new WorkshopSteps(options.random);
    for (const order of open) this.orders.set(order.no, order);
    this.loops = [
      ...options.kioskPrinters.map((printer) => this.kiosk(printer)),
      this.paced(options.issuePerS, () => this.issue()),
      ...SOAK_DESKS.map((desk) => this.desk(desk.id, desk.services)),
      this.paced(options.workshopPerS, () => this.workshopStep()),
    ];
  }

  /** Ends every loop after its current request. */
  async stop(): Promise<DayTraffic> {
    this.running = false;
    await Promise.all(this.loops);
    return this.day;
  }

  private async post(path: string, body: unknown): Promise<Answer> {
    const sent = performance.now();
    try {
      const res = await fetch(`${this.options.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.options.token}` },
        body: JSON.stringify(body),
      });
      const answer = { status: res.status, body: (await res.json()) as Record<string, unknown> };
      if (!path.startsWith('/api/print/')) this.day.commandMs.push(performance.now() - sent);
      const code = (answer.body.error as { code?: string } | undefined)?.code;
      // A printer that stopped answering or did not print in time is the store's state, not the gateway's failure.
      if (code === 'printer-not-ready' || code === 'not-printed') this.day.notPrinted += 1;
      else if (res.status >= 500) this.fail(`${path.replace(/\/[0-9a-f-]{36}$/, '/:id')} ${res.status} ${code ?? ''}`.trim());
      return answer;
    } catch (err) {
      this.fail(`${path.replace(/\/[0-9a-f-]{36}$/, '/:id')} ${(err as Error).message}`);
      return { status: 0, body: {} };
    }
  }

  private fail(kind: string): void {
    this.day.failures.set(kind, (this.day.failures.get(kind) ?? 0) + 1);
  }

  private pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.options.random() * list.length)] as T;
  }

  private async issue(): Promise<string | undefined> {
    const answer = await this.post('/api/queue/commands', { action: 'issue', service: this.pick(SERVICES) } satisfies QueueCommand);
    const ticket = answer.body.ticket as { id: string; issuedAt: string } | undefined;
    if (answer.status !== 200 || !ticket) return undefined;
    this.day.issued += 1;
    this.day.firstIssuedAt ??= ticket.issuedAt;
    return ticket.id;
  }

  /**
   * Runs `step` `perS` times a second, as customers and cars arrive: independently of the answers
   * before (up to MAX_IN_FLIGHT at once; past that the rate drops, which the day's counts show).
   */
  private async paced(perS: number, step: () => Promise<unknown>): Promise<void> {
    if (perS <= 0) return;
    const every = 1000 / perS;
    const inFlight = new Set<Promise<unknown>>();
    let due = performance.now();
    while (this.running) {
      if (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
      const running = step().finally(() => inFlight.delete(running));
      inFlight.add(running);
      due += every;
      await pause(Math.max(0, due - performance.now()));
    }
    await Promise.all(inFlight);
  }

  private async kiosk(printer: string): Promise<void> {
    while (this.running) {
      const id = await this.issue();
      if (!id) {
        await pause(200);
        continue;
      }
      const answer = await this.post(`/api/print/ticket/${id}`, { printer, waitMs: PRINT_WAIT_MS });
      if (answer.body.printed === true) this.day.printed += 1;
    }
  }

  /** Call the next ticket, serve it (one in twenty does not show up), finish; wait a little when nobody waits. */
  private async desk(desk: string, services: readonly string[]): Promise<void> {
    while (this.running) {
      const called = await this.post('/api/queue/commands', { action: 'call-next', desk } satisfies QueueCommand);
      const ticket = (called.body.event as { ticket?: { id: string } } | undefined)?.ticket;
      if (called.status !== 200 || !ticket) {
        await pause(250);
        continue;
      }
      if (this.options.random() < 0.05) {
        await this.post('/api/queue/commands', { action: 'no-show', desk, ticketId: ticket.id } satisfies QueueCommand);
      } else {
        await this.post('/api/queue/commands', { action: 'start', desk, ticketId: ticket.id } satisfies QueueCommand);
        await pause(50 + this.options.random() * 100 * services.length);
        await this.post('/api/queue/commands', { action: 'finish', desk, ticketId: ticket.id } satisfies QueueCommand);
      }
      this.day.served += 1;
    }
  }

  private async workshopStep(): Promise<void> {
    const open = [...this.orders.values()];
    const command: WorkshopCommandInput | undefined = open.length < OPEN_ORDERS ? this.steps.arrival(this.options.gatewayNow()) : this.steps.next(this.pick(open));
    if (!command) return;
    const answer = await this.post('/api/workshop/commands', command);
    this.day.workshopCommands += 1;
    const order = answer.body.order as OrderProgress | undefined;
    if (answer.status !== 200 || !order) return;
    if (command.action === 'open' || command.action === 'book') this.day.ordersOpened += 1;
    if (order.stage === 'released') {
      this.orders.delete(order.no);
      this.day.ordersReleased += 1;
    } else this.orders.set(order.no, order);
  }
}
