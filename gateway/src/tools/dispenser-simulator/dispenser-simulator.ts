import { EventEmitter } from 'node:events';
import type { Frame } from '../../adapters/dispenser/frame.js';
import { decode, encode, type TicketAnswer, type WaitingCounts } from '../../adapters/dispenser/messages.js';
import { FrameParser } from '../../adapters/dispenser/parser.js';
import { MSG, TIMING, type DispenserCondition } from '../../adapters/dispenser/protocol.js';
import { FrameWriter } from '../../adapters/dispenser/writer.js';
import { SerialLink } from '../../adapters/printer/serial.js';
import { PacedLink } from './paced-link.js';

export interface DispenserSimulatorOptions {
  path: string;
  baudRate: number;
  buttons: number;
  firmware?: string;
  versions?: { min: number; max: number };
  heartbeatMs?: number;
}

/**
 * A ticket dispenser's firmware, as firmware-config/DISPENSER-PROTOCOL.md specifies it, on a
 * serial line: says HELLO when the line opens (and when asked), sends heartbeats with its
 * condition, sends button presses and resends them until acknowledged, acknowledges and shows
 * TICKET and COUNTS. Its writes are paced to the baud rate, as the cable would pace them.
 *
 * Events: `open`, `close`, `hello-ack` (version), `ticket` (TicketAnswer), `counts` (WaitingCounts), `nak`.
 */
export class DispenserSimulator extends EventEmitter {
  private readonly serial: SerialLink;
  private readonly link: PacedLink;
  private readonly writer: FrameWriter;
  private readonly parser: FrameParser;
  private condition: DispenserCondition = 'ok';
  private timers: NodeJS.Timeout[] = [];
  private closed = false;
  counts: WaitingCounts = [];
  version = 0;

  constructor(private readonly options: DispenserSimulatorOptions) {
    super();
    this.serial = new SerialLink(options.path, options.baudRate);
    this.link = new PacedLink(this.serial, options.baudRate / 10);
    this.writer = new FrameWriter(this.link);
    this.parser = new FrameParser((frame) => this.onFrame(frame));
    this.link.onData((chunk) => this.parser.push(chunk));
    this.link.onClose(() => {
      this.writer.reset();
      this.emit('close');
      this.reopenLater();
    });
  }

  get isOpen(): boolean {
    return this.link.isOpen;
  }

  /** Starts the firmware; a line that is not there yet (cable unplugged) is retried, as firmware would. */
  async start(): Promise<void> {
    this.timers.push(setInterval(() => this.isOpen && void this.writer.send(MSG.HEARTBEAT, encode.condition(this.condition)), this.options.heartbeatMs ?? TIMING.heartbeatMs));
    this.timers.push(setInterval(() => this.parser.tick(), 25));
    await this.open().catch(() => this.reopenLater());
  }

  async stop(): Promise<void> {
    this.closed = true;
    this.timers.forEach((t) => clearInterval(t));
    this.writer.reset();
    await this.link.close();
  }

  /** A customer presses a button: resolves true when the gateway acknowledged the press. */
  press(button: number): Promise<boolean> {
    return this.writer.send(MSG.BUTTON, encode.button(button));
  }

  /** The dispenser's paper sensor, jam detector or cover switch changed. */
  setCondition(condition: DispenserCondition): Promise<boolean> {
    this.condition = condition;
    return this.writer.send(MSG.STATUS, encode.condition(condition));
  }

  /**
   * Raw bytes on the line, for fault tests (noise, broken frames). `thenSilentMs` keeps the
   * simulator's own frames off the line afterwards: a frame cut short is only "truncated" when
   * the line goes quiet; glued to the next heartbeat it is a bad checksum instead.
   */
  sendRaw(bytes: Uint8Array, thenSilentMs = 0): void {
    this.link.write(bytes);
    if (thenSilentMs > 0) this.link.holdSilence(thenSilentMs);
  }

  private async open(): Promise<void> {
    await this.link.open();
    this.emit('open');
    await this.hello();
  }

  private hello(): Promise<boolean> {
    const { versions = { min: 1, max: 1 }, buttons, firmware = 'forecourt-sim 1.0' } = this.options;
    return this.writer.send(MSG.HELLO, encode.hello({ minVersion: versions.min, maxVersion: versions.max, buttons, firmware }));
  }

  private reopenLater(): void {
    if (this.closed) return;
    const timer = setTimeout(() => void this.open().catch(() => this.reopenLater()), 300);
    this.timers.push(timer);
  }

  private onFrame(frame: Frame): void {
    try {
      switch (frame.type) {
        case MSG.ACK:
          this.writer.acknowledged(decode.ack(frame.payload));
          return;
        case MSG.NAK:
          this.emit('nak', decode.nak(frame.payload));
          return;
        case MSG.HELLO_REQUEST:
          this.writer.ack(frame.seq);
          void this.hello();
          return;
        case MSG.HELLO_ACK:
          this.writer.ack(frame.seq);
          this.version = decode.helloAck(frame.payload);
          this.writer.version = Math.max(1, this.version);
          this.emit('hello-ack', this.version);
          return;
        case MSG.TICKET: {
          this.writer.ack(frame.seq);
          const ticket: TicketAnswer = decode.ticket(frame.payload);
          this.emit('ticket', ticket);
          return;
        }
        case MSG.COUNTS:
          this.writer.ack(frame.seq);
          this.counts = decode.counts(frame.payload);
          this.emit('counts', this.counts);
          return;
        default:
          this.writer.nak(frame.seq, 'unknown-type');
      }
    } catch {
      this.writer.nak(frame.seq, 'bad-payload');
    }
  }
}
