import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { topics, type DeviceState } from '../../protocol/index.js';
import { DispenserCounts, DispenserTicket, type DispenserButton } from '../../protocol/dispenser-agent.js';
import { deviceConnectOptions, type LoginFor } from '../mqtt-login.js';
import type { DeviceLink } from '../printer/link.js';
import { DispenserAgent, type DispenserState } from './agent.js';
import type { TicketAnswer, WaitingCounts } from './messages.js';
import type { TIMING } from './protocol.js';

export interface DispenserBusAgentOptions {
  url: string;
  store: string;
  id: string;
  link: DeviceLink;
  loginFor?: LoginFor;
  log: Logger;
  now: () => Date;
  /** How long a press waits for the gateway's answer before the display says "error". */
  answerMs?: number;
  timing?: Partial<typeof TIMING> & { reconnectMs?: number };
}

type Answer = Omit<TicketAnswer, 'button'>;
const UNAVAILABLE: Answer = { result: 'unavailable', number: '', peopleAhead: 0, minutes: 0 };

/**
 * A dispenser plugged into another PC than the gateway's, as a device on the bus: the same
 * DispenserAgent as in the gateway on the serial line, each press sent as one event on
 * `device/{id}/button` (a frame the dispenser resends is the same press, the same event) and
 * answered from `device/{id}/ticket`; the display's counts come from `device/{id}/counts`.
 */
export class DispenserBusAgent {
  private client: MqttClient | undefined;
  private readonly agent: DispenserAgent;
  private counts: WaitingCounts = [];
  private state: DispenserState = { online: false, health: 'error', reason: 'offline' };
  private readonly waiting = new Map<string, (answer: Answer) => void>();
  private readonly ticketTopic: string;
  private readonly countsTopic: string;

  constructor(private readonly opts: DispenserBusAgentOptions) {
    this.ticketTopic = topics.dispenserTicket(opts.store, opts.id);
    this.countsTopic = topics.dispenserCounts(opts.store, opts.id);
    this.agent = new DispenserAgent({
      config: { id: opts.id },
      link: opts.link,
      log: opts.log,
      takeTicket: (button) => this.press(button),
      counts: () => this.counts,
      onState: (state) => {
        this.state = state;
        void this.publishState();
      },
      onReject: (kind) => opts.log.debug({ dispenser: opts.id, kind }, 'dispenser frame refused'),
      ...(opts.timing ? { timing: opts.timing } : {}),
    });
  }

  async start(): Promise<void> {
    const { url, store, id, now, log } = this.opts;
    const offline: DeviceState = { kind: 'dispenser', online: false, health: 'error', reason: 'offline', at: now().toISOString() };
    const client = mqtt.connect(url, {
      ...deviceConnectOptions(id, this.opts.loginFor),
      reconnectPeriod: 1000,
      resubscribe: false,
      will: { topic: topics.deviceState(store, id), payload: Buffer.from(JSON.stringify(offline)), qos: 1, retain: true },
    });
    this.client = client;
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
    client.on('connect', () => {
      (client.stream as Partial<Socket>).setNoDelay?.(true);
      void client
        .subscribeAsync([this.ticketTopic, this.countsTopic], { qos: 1 })
        .then(() => this.publishState())
        .catch((err: unknown) => log.warn({ dispenser: id, err: (err as Error).message }, 'could not subscribe'));
    });
    client.on('error', (err) => log.warn({ dispenser: id, err: err.message }, 'broker connection failed'));
    this.agent.start();
  }

  async stop(): Promise<void> {
    await this.agent.stop();
    for (const settle of this.waiting.values()) settle(UNAVAILABLE);
    this.state = { online: false, health: 'error', reason: 'offline' };
    await this.publishState();
    await this.client?.endAsync();
    this.client = undefined;
  }

  /** One press as one event; without the broker the customer hears "unavailable" now rather than a ticket later. */
  private press(button: number): Promise<Answer> {
    const { client } = this;
    if (!client?.connected) return Promise.resolve(UNAVAILABLE);
    const event = randomUUID();
    const answered = new Promise<Answer>((resolve) => {
      const timer = setTimeout(() => settle({ ...UNAVAILABLE, result: 'error' }), this.opts.answerMs ?? 10_000);
      const settle = (answer: Answer): void => {
        clearTimeout(timer);
        this.waiting.delete(event);
        resolve(answer);
      };
      this.waiting.set(event, settle);
    });
    const press: DispenserButton = { event, button, at: this.opts.now().toISOString() };
    client.publish(topics.dispenserButton(this.opts.store, this.opts.id), JSON.stringify(press), { qos: 1 });
    return answered;
  }

  private onMessage(topic: string, payload: Buffer): void {
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      json = undefined;
    }
    if (topic === this.countsTopic) {
      const counts = DispenserCounts.safeParse(json);
      if (!counts.success) return this.invalid(topic, counts.error.issues[0]?.message);
      this.counts = counts.data.counts;
      void this.agent.sendCounts().catch(() => undefined);
    } else if (topic === this.ticketTopic) {
      const ticket = DispenserTicket.safeParse(json);
      if (!ticket.success) return this.invalid(topic, ticket.error.issues[0]?.message);
      const { event, button: _button, ...answer } = ticket.data;
      this.waiting.get(event)?.(answer);
    }
  }

  private invalid(topic: string, reason: string | undefined): void {
    this.opts.log.warn({ dispenser: this.opts.id, topic, reason }, 'invalid message from the gateway ignored');
  }

  /** Only while connected: every (re)connect publishes the state as it is then. */
  private async publishState(): Promise<void> {
    if (!this.client?.connected) return;
    const state: DeviceState = { kind: 'dispenser', ...this.state, at: this.opts.now().toISOString() };
    try {
      await this.client?.publishAsync(topics.deviceState(this.opts.store, this.opts.id), JSON.stringify(state), { qos: 1, retain: true });
    } catch (err) {
      this.opts.log.debug({ dispenser: this.opts.id, err: (err as Error).message }, 'dispenser state not published');
    }
  }
}
