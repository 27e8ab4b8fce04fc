import { gatewayActor } from '../store/audit-log.js';
import { QueueError } from '../domain/queue/index.js';
import type { QueueService } from '../extensions/queue-service.js';
import type { QueueCommand, TicketPriority } from '../protocol/index.js';

/**
 * Customers and advisors of the demo store, through the same command path as the real screens:
 * a customer takes a ticket now and then; each desk calls, serves and finishes at its own pace.
 */
export class DemoTraffic {
  constructor(
    private readonly queue: QueueService,
    private readonly random: () => number = Math.random,
  ) {}

  async customerArrives(): Promise<void> {
    const services = this.queue.engine.serviceList();
    const service = services[Math.floor(this.random() * services.length)]?.code;
    if (!service) return;
    const roll = this.random();
    const priority: TicketPriority = roll < 0.1 ? 'appointment' : roll < 0.2 ? 'vip' : 'regular';
    await this.run({ action: 'issue', service, priority });
  }

  /** One step of every desk: finish or start what it has, otherwise call the next ticket. */
  async desksWork(): Promise<void> {
    for (const { id: desk } of this.queue.engine.deskList()) {
      if (this.random() < 0.5) continue;
      const current = this.queue.engine.deskState(desk).current[0];
      if (!current) await this.run({ action: 'call-next', desk });
      else if (current.state === 'called') await this.run({ action: 'start', desk, ticketId: current.id });
      else await this.run({ action: 'finish', desk, ticketId: current.id });
    }
  }

  private async run(command: QueueCommand): Promise<void> {
    try {
      await this.queue.execute(command, gatewayActor('demo'));
    } catch (err) {
      // An empty queue or a full day is normal in a demo; anything else is a real bug.
      if (!(err instanceof QueueError)) throw err;
    }
  }
}
