import type { AedesPublishPacket } from 'aedes';
import { Counter } from 'prom-client';
import { DispenserAgent, type DispenserState } from '../adapters/dispenser/agent.js';
import { TIMING } from '../adapters/dispenser/protocol.js';
import type { TicketAnswer } from '../adapters/dispenser/messages.js';
import { SerialLink } from '../adapters/printer/serial.js';
import { publishJson } from '../broker/publish.js';
import { topics, type DeviceState } from '../protocol/index.js';
import { PrintError } from './print-error.js';
import type { PrintService } from './print-service.js';
import type { Extension, ExtensionContext } from './extension.js';
import type { QueueService } from './queue-service.js';

/**
 * The store's peak-hour dispensers: one DispenserAgent per configured serial line. A button
 * press issues a ticket through the same queue command path as the kiosk and queues it on the
 * dispenser's printer; the waiting counts go to every dispenser's display when they change.
 */
export class DispenserService implements Extension {
  readonly name = 'dispensers';
  private agents: DispenserAgent[] = [];
  private readonly rejected: Counter<'device' | 'kind'>;
  private readonly servicesTopic: string;

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
    this.agents = config.devices.dispensers.map((d) => {
      const unknown = Object.values(d.buttons).filter((s) => !config.queue.services.some((q) => q.code === s));
      if (unknown.length) log.error({ dispenser: d.id, unknown }, 'dispenser buttons name unknown services; they answer "unknown-button"');
      const buttons = Object.fromEntries(Object.entries(d.buttons).filter(([, s]) => !unknown.includes(s)));
      return new DispenserAgent({
        config: { ...d, buttons },
        link: new SerialLink(d.serial.path, d.serial.baudRate),
        log: log.child({ component: 'dispenser' }),
        takeTicket: (service) => this.takeTicket(d.id, d.printer, service),
        waiting: () => new Map(this.queue.engine.serviceList().map((s) => [s.code, { waiting: s.waitingCount, minutes: s.estimatedWaitMin }])),
        onState: (state) => void this.publishState(d.id, state).catch((err: unknown) => log.warn({ err }, 'dispenser state not published')),
        onReject: (kind) => this.rejected.inc({ device: d.id, kind }),
        timing: this.timing,
      });
    });
    this.agents.forEach((a) => a.start());
    if (this.agents.length) await new Promise<void>((resolve) => this.ctx.broker.subscribe(this.servicesTopic, this.onServices, resolve));
  }

  async stop(): Promise<void> {
    if (this.agents.length) await new Promise<void>((resolve) => this.ctx.broker.unsubscribe(this.servicesTopic, this.onServices, resolve));
    await Promise.all(this.agents.map((a) => a.stop()));
    await Promise.all(this.ctx.config.devices.dispensers.map((d) => this.publishState(d.id, { online: false, health: 'error', reason: 'offline' })));
    this.agents = [];
  }

  private readonly onServices = (_packet: AedesPublishPacket, done: () => void): void => {
    this.agents.forEach((a) => void a.sendCounts().catch(() => undefined));
    done();
  };

  /** One button press: refused while the dispenser's printer cannot print, so no ticket goes unprinted. */
  private async takeTicket(dispenser: string, printer: string, service: string): Promise<Omit<TicketAnswer, 'button'>> {
    if (!this.printing.condition(printer).online || this.printing.condition(printer).health === 'error') {
      return { result: 'unavailable', number: '', peopleAhead: 0, minutes: 0 };
    }
    try {
      const { status } = await this.queue.execute({ action: 'issue', service }, { actor: `dispenser:${dispenser}`, role: 'dispenser', via: dispenser });
      if (!status) throw new Error('issue returned no ticket');
      await this.printing.printTicket(status.ticket.id, printer);
      return { result: 'issued', number: status.ticket.number, peopleAhead: status.peopleAhead, minutes: status.estimatedWaitMin };
    } catch (err) {
      if (err instanceof PrintError) return { result: 'unavailable', number: '', peopleAhead: 0, minutes: 0 };
      throw err;
    }
  }

  private publishState(id: string, state: DispenserState): Promise<void> {
    const payload: DeviceState = { kind: 'dispenser', ...state, at: this.ctx.now().toISOString() };
    return publishJson(this.ctx.broker, topics.deviceState(this.ctx.config.store.id, id), payload, true);
  }
}
