import type { AedesPublishPacket } from 'aedes';
import { Counter } from 'prom-client';
import { DispenserAgent, type DispenserState } from '../adapters/dispenser/agent.js';
import { TIMING } from '../adapters/dispenser/protocol.js';
import type { TicketAnswer, WaitingCounts } from '../adapters/dispenser/messages.js';
import { SerialLink } from '../adapters/printer/serial.js';
import { publishJson } from '../broker/publish.js';
import type { DispenserConfig } from '../config/devices.js';
import type { CommandResult } from '../domain/queue/events.js';
import type { Actor } from '../store/audit-log.js';
import { RequestLedger } from '../store/request-ledger.js';
import { ServiceList, topics, type DeviceState, type ServiceSummary } from '../protocol/index.js';
import { PrintError } from '../domain/printing/print-error.js';
import type { PrintService } from './print-service.js';
import type { Extension, ExtensionContext } from './extension.js';
import type { QueueService } from './queue-service.js';
import { RemoteDispenser } from './remote-dispenser.js';

/**
 * The store's peak-hour dispensers: one DispenserAgent per configured serial line, a
 * RemoteDispenser for each one whose agent runs on another PC (`agent: remote`). A button
 * press issues a ticket through the same queue command path as the kiosk and queues it on the
 * dispenser's printer; the waiting counts go to every dispenser's display when they change.
 */
export class DispenserService implements Extension {
  readonly name = 'dispensers';
  private agents: DispenserAgent[] = [];
  private remotes: RemoteDispenser[] = [];
  private ledger: RequestLedger | undefined;
  private readonly rejected: Counter<'device' | 'kind'>;
  private readonly servicesTopic: string;
  /** The queues as last announced on `queue/services`: counts need no read of the day's tickets of their own. */
  private announced: ReadonlyMap<string, ServiceSummary> | undefined;
  /** One send of the counts per loop turn, however many announcements the turn released. */
  private countsSoon: NodeJS.Immediate | undefined;

  constructor(
    private readonly ctx: ExtensionContext,
    private readonly queue: QueueService,
    private readonly printing: PrintService,
    private readonly timing: Partial<typeof TIMING> & { reconnectMs?: number } = {},
  ) {
    this.servicesTopic = topics.queueServices(ctx.config.store.id);
    this.rejected = new Counter({
      name: 'forecourt_dispenser_rejected_total',
      help: 'Bytes and frames from dispensers that were refused, by kind (noiseBytes counts frames of noise, not bytes)',
      labelNames: ['device', 'kind'],
      registers: [ctx.metrics.registry],
    });
  }

  get dispensers(): readonly DispenserAgent[] {
    return this.agents;
  }

  async start(): Promise<void> {
    const { config, log } = this.ctx;
    this.ledger = new RequestLedger(this.ctx.db, this.ctx.now);
    const dispensers = config.devices.dispensers.map((d) => {
      const unknown = Object.values(d.buttons).filter((s) => !config.queue.services.some((q) => q.code === s));
      if (unknown.length) log.error({ dispenser: d.id, unknown }, 'dispenser buttons name unknown services; they answer "unknown-button"');
      return { ...d, buttons: Object.fromEntries(Object.entries(d.buttons).filter(([, s]) => !unknown.includes(s))) };
    });
    this.agents = dispensers.flatMap((d) =>
      d.agent === 'remote' || !d.serial
        ? []
        : [
            new DispenserAgent({
              config: d,
              link: new SerialLink(d.serial.path, d.serial.baudRate),
              log: log.child({ component: 'dispenser' }),
              takeTicket: (button) => this.takeTicket(d, button),
              counts: () => this.counts(d),
              onState: (state) => void this.publishState(d.id, state).catch((err: unknown) => log.warn({ err }, 'dispenser state not published')),
              onReject: (kind) => this.rejected.inc({ device: d.id, kind }),
              timing: this.timing,
            }),
          ],
    );
    this.remotes = dispensers
      .filter((d) => d.agent === 'remote')
      .map((d) => new RemoteDispenser({ id: d.id, store: config.store.id, broker: this.ctx.broker, log: log.child({ component: 'dispenser' }), now: this.ctx.now, takeTicket: (button, event) => this.takeTicket(d, button, event), counts: () => this.counts(d) }));
    this.agents.forEach((a) => a.start());
    await Promise.all(this.remotes.map((r) => r.start()));
    if (dispensers.length) await new Promise<void>((resolve) => this.ctx.broker.subscribe(this.servicesTopic, this.onServices, resolve));
  }

  async stop(): Promise<void> {
    clearImmediate(this.countsSoon);
    this.countsSoon = undefined;
    if (this.ctx.config.devices.dispensers.length) await new Promise<void>((resolve) => this.ctx.broker.unsubscribe(this.servicesTopic, this.onServices, resolve));
    await Promise.all([...this.agents.map((a) => a.stop()), ...this.remotes.map((r) => r.stop())]);
    // A remote dispenser's agent says so itself (its MQTT will).
    const local = this.ctx.config.devices.dispensers.filter((d) => d.agent !== 'remote');
    await Promise.all(local.map((d) => this.publishState(d.id, { online: false, health: 'error', reason: 'offline' })));
    this.agents = [];
    this.remotes = [];
  }

  private readonly onServices = (packet: AedesPublishPacket, done: () => void): void => {
    done();
    const list = parseServiceList(packet.payload);
    if (!list) {
      this.ctx.log.warn({ topic: packet.topic }, 'queue/services payload refused; dispenser counts read the queue instead');
      this.announced = undefined;
    } else {
      this.announced = new Map(list.services.map((s) => [s.code, s]));
    }
    this.countsSoon ??= setImmediate(() => {
      this.countsSoon = undefined;
      this.agents.forEach((a) => void a.sendCounts().catch(() => undefined));
      this.remotes.forEach((r) => void r.publishCounts().catch(() => undefined));
    });
  };

  /** People waiting and minutes for each of a dispenser's buttons. */
  private counts(dispenser: Pick<DispenserConfig, 'buttons'>): WaitingCounts {
    const services = this.announced ?? new Map(this.queue.engine.serviceList().map((s) => [s.code, s]));
    return Object.entries(dispenser.buttons).map(([button, code]) => ({
      button: Number(button),
      waiting: services.get(code)?.waitingCount ?? 0,
      minutes: services.get(code)?.estimatedWaitMin ?? 0,
    }));
  }

  /**
   * One button press: refused while the dispenser's printer cannot print, so no ticket goes
   * unprinted. The ticket and its print job are one transaction; with an event id (a remote
   * agent's) its answer is stored in it too, so a press delivered again — also after a restart —
   * gets the first answer instead of a second ticket.
   */
  private async takeTicket({ id: dispenser, printer, buttons }: Pick<DispenserConfig, 'id' | 'printer' | 'buttons'>, button: number, event?: string): Promise<Answer> {
    const service = buttons[String(button)];
    if (!service) return { ...UNAVAILABLE, result: 'unknown-button' };
    const actor: Actor = { actor: `dispenser:${dispenser}`, role: 'dispenser', via: dispenser };
    const act = () => this.issueAndQueue(service, printer, actor);
    try {
      const outcome = event ? this.ledger!.once(actor.actor, event, `dispenser-button:${dispenser}`, act) : { replayed: false as const, ...this.ctx.db.transaction(act)() };
      if (!outcome.replayed && outcome.result) await this.queue.announce(outcome.result);
      // The dispenser shows and prints the number: it must be on disk first (store/group-commit.ts).
      await this.ctx.outputs.whenDurable();
      return outcome.answer;
    } catch (err) {
      if (err instanceof PrintError) return UNAVAILABLE;
      throw err;
    }
  }

  private issueAndQueue(service: string, printer: string, actor: Actor): { result: CommandResult | undefined; answer: Answer } {
    const condition = this.printing.condition(printer);
    if (!condition.online || condition.health === 'error') return { result: undefined, answer: UNAVAILABLE };
    const result = this.queue.commit({ action: 'issue', service }, actor);
    const { status } = result;
    if (!status) throw new Error('issue returned no ticket');
    this.printing.queueTicket(status.ticket.id, printer);
    return { result, answer: { result: 'issued', number: status.ticket.number, peopleAhead: status.peopleAhead, minutes: status.estimatedWaitMin } };
  }

  private publishState(id: string, state: DispenserState): Promise<void> {
    const payload: DeviceState = { kind: 'dispenser', ...state, at: this.ctx.now().toISOString() };
    return publishJson(this.ctx.broker, topics.deviceState(this.ctx.config.store.id, id), payload, true);
  }
}

type Answer = Omit<TicketAnswer, 'button'>;
const UNAVAILABLE: Answer = { result: 'unavailable', number: '', peopleAhead: 0, minutes: 0 };

function parseServiceList(payload: Buffer | string): ServiceList | undefined {
  try {
    const parsed = ServiceList.safeParse(JSON.parse(payload.toString()));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
