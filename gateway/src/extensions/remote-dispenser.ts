import type { Aedes, AedesPublishPacket } from 'aedes';
import type { Logger } from 'pino';
import type { TicketAnswer, WaitingCounts } from '../adapters/dispenser/messages.js';
import { publishJson } from '../broker/publish.js';
import { topics } from '../protocol/index.js';
import { DispenserButton, type DispenserCounts, type DispenserTicket } from '../protocol/dispenser-agent.js';

/** Button events remembered, so a press delivered again gets its first answer, not a second ticket. */
const REMEMBERED = 500;

export interface RemoteDispenserDeps {
  id: string;
  store: string;
  broker: Aedes;
  log: Logger;
  now: () => Date;
  takeTicket: (button: number) => Promise<Omit<TicketAnswer, 'button'>>;
  counts: () => WaitingCounts;
}

/**
 * A dispenser whose agent runs on another PC (`agent: remote`): its button events arrive on
 * `device/{id}/button`, each answered once on `device/{id}/ticket` (a press delivered twice, by
 * QoS 1 or a reconnect, gets the first answer again); the ticket prints on the dispenser's
 * printer like any other, and the waiting counts for its display go on `device/{id}/counts`.
 */
export class RemoteDispenser {
  private readonly buttonTopic: string;
  private readonly answers = new Map<string, Promise<Omit<TicketAnswer, 'button'>>>();

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
    let answer = this.answers.get(event);
    if (answer) {
      this.deps.log.info({ dispenser: this.deps.id, event }, 'button event delivered again; answered as before');
    } else {
      answer = this.deps.takeTicket(button).catch((err: unknown) => {
        this.deps.log.error({ err, dispenser: this.deps.id, button }, 'dispenser ticket failed');
        return { result: 'error' as const, number: '', peopleAhead: 0, minutes: 0 };
      });
      this.answers.set(event, answer);
      if (this.answers.size > REMEMBERED) this.answers.delete(this.answers.keys().next().value as string);
    }
    void answer.then((a) => {
      const ticket: DispenserTicket = { event, button, ...a };
      return publishJson(this.deps.broker, topics.dispenserTicket(this.deps.store, this.deps.id), ticket, false);
    }).catch((err: unknown) => this.deps.log.warn({ err, dispenser: this.deps.id }, 'dispenser ticket answer not published'));
  };
}
