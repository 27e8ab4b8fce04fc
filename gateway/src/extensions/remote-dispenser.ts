import type { Aedes, AedesPublishPacket } from 'aedes';
import type { Logger } from 'pino';
import type { TicketAnswer, WaitingCounts } from '../adapters/dispenser/messages.js';
import { publishJson } from '../broker/publish.js';
import { topics } from '../protocol/index.js';
import { DispenserButton, type DispenserCounts, type DispenserTicket } from '../protocol/dispenser-agent.js';

export interface RemoteDispenserDeps {
  id: string;
  store: string;
  broker: Aedes;
  log: Logger;
  now: () => Date;
  /** Answers one press; the same event id again gets the first answer (stored with the ticket). */
  takeTicket: (button: number, event: string) => Promise<Omit<TicketAnswer, 'button'>>;
  counts: () => WaitingCounts;
}

/**
 * A dispenser whose agent runs on another PC (`agent: remote`): its button events arrive on
 * `device/{id}/button`, each answered on `device/{id}/ticket` (a press delivered twice, by QoS 1
 * or a reconnect, gets the first answer again, not a second ticket); the ticket prints on the dispenser's
 * printer like any other, and the waiting counts for its display go on `device/{id}/counts`.
 */
export class RemoteDispenser {
  private readonly buttonTopic: string;

  constructor(private readonly deps: RemoteDispenserDeps) {
    this.buttonTopic = topics.dispenserButton(deps.store, deps.id);
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.deps.broker.subscribe(this.buttonTopic, this.onButton, resolve));
    await this.publishCounts();
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.deps.broker.unsubscribe(this.buttonTopic, this.onButton, resolve));
  }

  /** Retained, so the agent has them as soon as it subscribes. */
  publishCounts(): Promise<void> {
    const counts: DispenserCounts = { counts: this.deps.counts(), at: this.deps.now().toISOString() };
    return publishJson(this.deps.broker, topics.dispenserCounts(this.deps.store, this.deps.id), counts, true);
  }

  private readonly onButton = (packet: AedesPublishPacket, done: () => void): void => {
    done();
    let json: unknown;
    try {
      json = JSON.parse(packet.payload.toString());
    } catch {
      json = undefined;
    }
    const press = DispenserButton.safeParse(json);
    if (!press.success) return;
    const { event, button } = press.data;
    const answer = this.deps.takeTicket(button, event).catch((err: unknown) => {
      this.deps.log.error({ err, dispenser: this.deps.id, button }, 'dispenser ticket failed');
      return { result: 'error' as const, number: '', peopleAhead: 0, minutes: 0 };
    });
    void answer.then((a) => {
      const ticket: DispenserTicket = { event, button, ...a };
      return publishJson(this.deps.broker, topics.dispenserTicket(this.deps.store, this.deps.id), ticket, false);
    }).catch((err: unknown) => this.deps.log.warn({ err, dispenser: this.deps.id }, 'dispenser ticket answer not published'));
  };
}
