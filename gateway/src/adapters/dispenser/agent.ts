import type { Logger } from 'pino';
import type { DispenserConfig } from '../../config/devices.js';
import type { DeviceState } from '../../protocol/index.js';
import type { DeviceLink } from '../printer/link.js';
import type { Frame } from './frame.js';
import { BadPayload, MESSAGE_NAMES, decode, encode, type TicketAnswer, type WaitingCounts } from './messages.js';
import { FrameParser, type RejectKind } from './parser.js';
import { MSG, SUPPORTED_VERSIONS, TIMING, needsAck, type DispenserCondition } from './protocol.js';
import { FrameWriter } from './writer.js';

export type DispenserState = Pick<DeviceState, 'online' | 'health' | 'reason'>;

export interface DispenserAgentDeps {
  config: Pick<DispenserConfig, 'id'>;
  link: DeviceLink;
  log: Logger;
  /**
   * Issues a ticket for a button and queues it on the dispenser's printer (`unknown-button` when
   * no service has it): the gateway's queue, in the gateway or over the bus (bus-agent.ts).
   */
  takeTicket: (button: number) => Promise<Omit<TicketAnswer, 'button'>>;
  /** Waiting people and minutes per button, for the dispenser's display. */
  counts: () => WaitingCounts;
  onState: (state: DispenserState) => void;
  /** A rejected frame or payload, for the metrics. */
  onReject: (kind: RejectKind | 'bad-payload' | 'unknown-type' | 'duplicate') => void;
  timing?: Partial<typeof TIMING> & { reconnectMs?: number };
}

const HEALTH: Record<DispenserCondition, DeviceState['health']> = {
  ok: 'ok',
  'paper-low': 'warning',
  'button-stuck': 'warning',
  'paper-out': 'error',
  'paper-jam': 'error',
  'cover-open': 'error',
};

/**
 * Speaks the dispenser protocol on one serial line: negotiates the version, turns button
 * presses into tickets (each press exactly once, however often the frame is resent), shows the
 * waiting counts on the dispenser's display, and reports it offline when its heartbeats stop —
 * a write to a pulled cable fails silently, so silence is the only sign.
 */
export class DispenserAgent {
  private readonly timing: typeof TIMING & { reconnectMs: number };
  private readonly parser: FrameParser;
  private readonly writer: FrameWriter;
  private running = false;
  private timers: NodeJS.Timeout[] = [];
  private lastSeen = 0;
  private condition: DispenserCondition = 'ok';
  private state: DispenserState = { online: false, health: 'error', reason: 'offline' };
  private stateKey = '';
  private lastButton: { seq: number; answer: Promise<Buffer> } | undefined;
  private opening = false;
  private versionRefused = false;

  constructor(private readonly deps: DispenserAgentDeps) {
    this.timing = { ...TIMING, reconnectMs: 1000, ...deps.timing };
    this.parser = new FrameParser((f) => this.onFrame(f), (kind, bytes) => this.rejected(kind, bytes), this.timing.interByteMs);
    this.writer = new FrameWriter(deps.link, this.timing);
    deps.link.onData((chunk) => this.parser.push(chunk));
    deps.link.onClose((reason) => {
      deps.log.warn({ dispenser: deps.config.id, reason }, 'dispenser link closed');
      this.writer.reset();
      this.setState({ online: false, health: 'error', reason: 'offline' });
    });
  }

  get stats(): FrameParser['stats'] {
    return this.parser.stats;
  }

  start(): void {
    this.running = true;
    this.stateKey = '';
    this.setState(this.state);
    const every = (ms: number, fn: () => void) => this.timers.push(setInterval(fn, ms));
    every(Math.min(this.timing.interByteMs, 50), () => this.parser.tick());
    every(250, () => this.watch());
    every(this.timing.countsEveryMs, () => void this.sendCounts());
    void this.ensureOpen();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.timers.forEach(clearInterval);
    this.timers = [];
    this.writer.reset();
    await this.deps.link.close();
  }

  /** Sends the waiting counts now (the queue changed). */
  async sendCounts(): Promise<void> {
    if (!this.deps.link.isOpen) return;
    await this.writer.send(MSG.COUNTS, encode.counts(this.deps.counts()));
  }

  private watch(): void {
    if (!this.running) return;
    if (!this.deps.link.isOpen) {
      void this.ensureOpen();
      return;
    }
    if (this.state.online && Date.now() - this.lastSeen > this.timing.offlineAfterMs) {
      this.deps.log.warn({ dispenser: this.deps.config.id }, 'dispenser silent; offline');
      this.setState({ online: false, health: 'error', reason: 'offline' });
    }
  }

  private async ensureOpen(): Promise<void> {
    const { link, config, log } = this.deps;
    if (this.opening || link.isOpen || !this.running) return;
    this.opening = true;
    try {
      await link.open();
      log.info({ dispenser: config.id, link: link.description }, 'dispenser link open');
      // The dispenser may have rebooted or we may have: ask it to introduce itself again.
      await this.writer.send(MSG.HELLO_REQUEST, Buffer.alloc(0));
    } catch (err) {
      log.debug({ err, dispenser: config.id }, 'dispenser link unavailable');
      await new Promise((r) => setTimeout(r, this.timing.reconnectMs));
    } finally {
      this.opening = false;
    }
  }

  private onFrame(frame: Frame): void {
    const { log, config } = this.deps;
    this.lastSeen = Date.now();
    if (frame.type !== MSG.HELLO && (frame.version < SUPPORTED_VERSIONS.min || frame.version > SUPPORTED_VERSIONS.max)) {
      this.writer.nak(frame.seq, 'unsupported-version');
      return;
    }
    try {
      switch (frame.type) {
        case MSG.ACK:
          this.writer.acknowledged(decode.ack(frame.payload));
          break;
        case MSG.NAK:
          log.warn({ dispenser: config.id, ...decode.nak(frame.payload) }, 'dispenser refused a frame');
          break;
        case MSG.HELLO:
          this.hello(frame);
          break;
        case MSG.BUTTON:
          this.button(frame);
          break;
        case MSG.HEARTBEAT:
        case MSG.STATUS:
          this.condition = decode.condition(frame.payload);
          if (needsAck(frame.type)) this.writer.ack(frame.seq);
          break;
        default:
          this.deps.onReject('unknown-type');
          this.writer.nak(frame.seq, 'unknown-type');
          return;
      }
    } catch (err) {
      if (!(err instanceof BadPayload)) throw err;
      log.warn({ dispenser: config.id, type: MESSAGE_NAMES[frame.type] ?? frame.type, reason: err.message }, 'bad dispenser payload');
      this.deps.onReject('bad-payload');
      this.writer.nak(frame.seq, 'bad-payload');
      return;
    }
    if (!this.versionRefused) this.publish();
  }

  private hello(frame: Frame): void {
    const hello = decode.hello(frame.payload);
    this.writer.ack(frame.seq);
    const version = Math.min(hello.maxVersion, SUPPORTED_VERSIONS.max);
    const agreed = version >= Math.max(hello.minVersion, SUPPORTED_VERSIONS.min);
    this.versionRefused = !agreed;
    // A new session: the dispenser's sequence numbers start again.
    this.lastButton = undefined;
    void this.writer.send(MSG.HELLO_ACK, encode.helloAck(agreed ? version : 0));
    if (!agreed) {
      this.deps.log.error({ dispenser: this.deps.config.id, hello }, 'dispenser speaks no protocol version we know');
      this.setState({ online: true, health: 'error', reason: 'version-mismatch' });
      return;
    }
    this.writer.version = version;
    this.deps.log.info({ dispenser: this.deps.config.id, version, firmware: hello.firmware, buttons: hello.buttons }, 'dispenser said hello');
    void this.sendCounts();
  }

  private button(frame: Frame): void {
    const button = decode.button(frame.payload);
    this.writer.ack(frame.seq);
    // A resend (our ACK was lost) gets the same answer again, never a second ticket.
    if (this.lastButton?.seq === frame.seq) {
      this.deps.onReject('duplicate');
      void this.lastButton.answer.then((payload) => this.writer.send(MSG.TICKET, payload));
      return;
    }
    const answer = this.answerButton(button);
    this.lastButton = { seq: frame.seq, answer };
    void answer.then((payload) => this.writer.send(MSG.TICKET, payload));
  }

  private async answerButton(button: number): Promise<Buffer> {
    try {
      return encode.ticket({ button, ...(await this.deps.takeTicket(button)) });
    } catch (err) {
      this.deps.log.error({ err, dispenser: this.deps.config.id, button }, 'dispenser ticket failed');
      return encode.ticket({ button, result: 'error', number: '', peopleAhead: 0, minutes: 0 });
    }
  }

  private rejected(kind: RejectKind, bytes: number): void {
    this.deps.log.debug({ dispenser: this.deps.config.id, kind, bytes }, 'dispenser bytes rejected');
    this.deps.onReject(kind);
  }

  /** A valid frame arrived: the dispenser is online, in the condition it last reported. */
  private publish(): void {
    const condition = this.condition;
    this.setState({ online: true, health: HEALTH[condition], ...(condition === 'ok' ? {} : { reason: condition }) });
  }

  private setState(state: DispenserState): void {
    this.state = state;
    const key = `${state.online}:${state.health}:${state.reason ?? ''}`;
    if (key === this.stateKey) return;
    this.stateKey = key;
    this.deps.onState(state);
  }
}
