import type { AedesPublishPacket } from 'aedes';
import { Counter } from 'prom-client';
import { DispenserAgent, type DispenserState } from '../adapters/dispenser/agent.js';
import { TIMING } from '../adapters/dispenser/protocol.js';
import type { TicketAnswer, WaitingCounts } from '../adapters/dispenser/messages.js';
import { SerialLink } from '../adapters/printer/serial.js';
import { publishJson } from '../broker/publish.js';
import type { DispenserConfig } from '../config/devices.js';
import { topics, type DeviceState } from '../protocol/index.js';
import { PrintError } from './print-error.js';
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
      .map((d) => new RemoteDispenser({ id: d.id, store: config.store.id, broker: this.ctx.broker, log: log.child({ component: 'dispenser' }), now: this.ctx.now, takeTicket: (button) => this.takeTicket(d, button), counts: () => this.counts(d) }));
    this.agents.forEach((a) => a.start());
    await Promise.all(this.remotes.map((r) => r.start()));
    if (dispensers.length) await new Promise<void>((resolve) => this.ctx.broker.subscribe(this.servicesTopic, this.onServices, resolve));
  }

  async stop(): Promise<void> {
    if (this.ctx.config.devices.dispensers.length) await new Promise<void>((resolve) => this.ctx.broker.unsubscribe(this.servicesTopic, this.onServices, resolve));
    await Promise.all([...this.agents.map((a) => a.stop()), ...this.remotes.map((r) => r.stop())]);
    // A remote dispenser's agent says so itself (its MQTT will).
    const local = this.ctx.config.devices.dispensers.filter((d) => d.agent !== 'remote');
    await Promise.all(local.map((d) => this.publishState(d.id, { online: false, health: 'error', reason: 'offline' })));
    this.agents = [];
    this.remotes = [];
  }

  private readonly onServices = (_packet: AedesPublishPacket, done: () => void): void => {
    this.agents.forEach((a) => void a.sendCounts().catch(() => undefined));
    this.remotes.forEach((r) => void r.publishCounts().catch(() => undefined));
    done();
  };

  /** People waiting and minutes for each of a dispenser's buttons. */
  private counts(dispenser: Pick<DispenserConfig, 'buttons'>): WaitingCounts {
    const services = new Map(this.queue.engine.serviceList().map((s) => [s.code, s]));
    return Object.entries(dispenser.buttons).map(([button, code]) => ({
      button: Number(button),
      waiting: services.get(code)?.waitingCount ?? 0,
      minutes: services.get(code)?.estimatedWaitMin ?? 0,
    }));
  }

  /** One button press: refused while the dispenser's printer cannot print, so no ticket goes unprinted. */
  private async takeTicket({ id: dispenser, printer, buttons }: Pick<DispenserConfig, 'id' | 'printer' | 'buttons'>, button: number): Promise<Omit<TicketAnswer, 'button'>> {
    const service = buttons[String(button)];
    if (!service) return { result: 'unknown-button', number: '', peopleAhead: 0, minutes: 0 };
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
