import { EventEmitter } from 'node:events';
import { BLOCK_ANSWER, BUFFER_CLEARED_ANSWER, STATUS_OFFLINE_CAUSE, STATUS_PAPER, STATUS_PRINTER } from '../../adapters/printer/commands.js';
import { encodeStatus, type PrinterStatus } from '../../adapters/printer/status.js';
import type { PrinterEncoding } from '../../adapters/printer/text-encoding.js';
import { DOTS_PER_MM, LINE_DOTS } from '../../adapters/printer/paper-length.js';
import { PrintEngine, type PrintedPage } from './print-engine.js';
import { RealTimeScanner, type RealTimeCommand } from './real-time-scanner.js';
import { ReceiveBuffer } from './receive-buffer.js';
import { SerialInterface } from './serial-interface.js';
import { TcpInterface } from './tcp-interface.js';

export type { PieceEnding, PrintedPage } from './print-engine.js';

/** 150 mm/s, a common thermal receipt printer's speed: 40 lines a second. */
export const DEFAULT_MM_PER_SECOND = 150;

export interface PrinterEmulatorOptions {
  /** The double-byte set of its "firmware": GB18030 (mainland) or Big5 (Taiwan, Hong Kong). */
  encoding: PrinterEncoding;
  /** Receive buffer, bytes (default 4096, as Epson's TM models). */
  bufferBytes?: number;
  /** Print speed in mm/s (default 150, i.e. 40 lines/s); or give `linesPerSecond`. */
  mmPerSecond?: number;
  linesPerSecond?: number;
  /** Paper on the roll, in lines (default endless). */
  paperLines?: number;
  /** Answers GS ( H process ID requests (default true; GS r 1 it always answers). */
  processId?: boolean;
  /** Executes DLE DC4 fn=8, the buffer clear (default true). */
  clearBuffer?: boolean;
  /**
   * Bytes per second a serial line delivers (a PTY has no speed of its own): default baud / 10.
   * TCP delivers at once, as a network printer swallows a whole ticket.
   */
  bytesPerSecond?: number;
}

/** Where answers go: the interface the printer last heard from. */
export interface Host {
  reply(bytes: Uint8Array): void;
}

/**
 * A thermal receipt printer in software, with a printer's semantics: bytes wait in a receive
 * buffer (its interfaces stop reading while it is full), a print engine develops them in order
 * at a realistic speed and decodes them back into pages, real-time commands (DLE EOT n, DLE DC4
 * fn=8) are executed the moment they arrive — ahead of everything in the buffer — and in-order
 * requests (GS r 1, GS ( H) are answered once everything before them has printed. The paper
 * runs out in the middle of a page if the roll is short: the printer stops, keeps what it has,
 * answers "paper end" in real time and prints the rest when paper is loaded.
 *
 * Events: `page` (PrintedPage: every piece of paper, cut or torn), `paper-out`, `status` (a
 * DLE EOT query number, once answered), `answered` (an in-order request), `cleared`.
 */
export class PrinterEmulator extends EventEmitter {
  readonly printed: PrintedPage[] = [];
  private readonly buffer: ReceiveBuffer;
  private readonly engine: PrintEngine;
  private readonly scanner = new RealTimeScanner();
  private host: Host | undefined;
  private readonly interfaces: { close(): Promise<void> }[] = [];

  constructor(private readonly options: PrinterEmulatorOptions) {
    super();
    this.buffer = new ReceiveBuffer(options.bufferBytes ?? 4096);
    const dotsPerSecond = options.linesPerSecond ? options.linesPerSecond * LINE_DOTS : (options.mmPerSecond ?? DEFAULT_MM_PER_SECOND) * DOTS_PER_MM;
    this.engine = new PrintEngine(
      this.buffer,
      { encoding: options.encoding, dotsPerSecond, paperDots: (options.paperLines ?? Infinity) * LINE_DOTS, answersProcessId: options.processId ?? true },
      (bytes) => this.host?.reply(bytes),
    );
    this.engine.on('page', (page: PrintedPage) => {
      this.printed.push(page);
      this.emit('page', page);
    });
    for (const name of ['paper-out', 'answered']) this.engine.on(name, (data?: unknown) => this.emit(name, data));
    // Told once the engine's step is over: an interface handing bytes in from its `space`
    // handler would otherwise re-enter `receive` in the middle of the call that made the room.
    let spaceDue = false;
    this.engine.on('space', () => {
      if (spaceDue) return;
      spaceDue = true;
      setImmediate(() => {
        spaceDue = false;
        this.emit('space');
      });
    });
  }

  get status(): PrinterStatus {
    return this.engine.status;
  }

  /** Nothing waiting in the buffers and nothing printing. */
  get idle(): boolean {
    return this.engine.idle;
  }

  /** The most the receive buffer has held at once, and its size. */
  get bufferUse(): { highWater: number; capacity: number } {
    return { highWater: this.buffer.highWater, capacity: this.buffer.capacity };
  }

  /** Loads a roll of `lines` lines (Infinity: endless); 0 takes the paper out. */
  setPaper(lines: number): void {
    this.engine.setPaper(lines);
  }

  setCover(open: boolean): void {
    this.engine.setCover(open);
  }

  /** Print speed in lines per second, from the next line on. */
  setSpeed(linesPerSecond: number): void {
    this.engine.setSpeed(linesPerSecond * LINE_DOTS);
  }

  /**
   * Bytes from a host, as its interface reads them: takes what fits in the receive buffer and
   * returns how many; the interface holds the rest back (and stops reading) until `space`.
   * Real-time commands among the taken bytes are executed at once.
   */
  receive(chunk: Uint8Array, host: Host): number {
    this.host = host;
    const taken = Math.min(chunk.length, this.buffer.free);
    let start = 0;
    for (let i = 0; i < taken; i++) {
      const command = this.scanner.push(chunk[i]!);
      if (!command) continue;
      // A real-time command also takes room in the buffer, where it does nothing later (NCR's manual).
      this.buffer.push(chunk.subarray(start, i + 1));
      start = i + 1;
      this.realTime(command, host);
    }
    this.buffer.push(chunk.subarray(start, taken));
    this.engine.kick();
    return taken;
  }

  /** Sends bytes that answer nothing (line noise, a confused printer) to the host. */
  sendRaw(bytes: Uint8Array): void {
    this.host?.reply(bytes);
  }

  /** Listens on TCP; resolves with the bound port (pass 0 for an ephemeral one). */
  async listenTcp(port: number, host = '127.0.0.1'): Promise<number> {
    const tcp = new TcpInterface(this);
    this.interfaces.push(tcp);
    return tcp.listen(port, host);
  }

  /** Opens a serial device (one end of a socat PTY pair in tests) and reopens it when it goes away. */
  async openSerial(path: string, baudRate: number): Promise<void> {
    const serial = new SerialInterface(this, path, baudRate, this.options.bytesPerSecond ?? baudRate / 10);
    this.interfaces.push(serial);
    await serial.open();
  }

  async close(): Promise<void> {
    this.engine.stop();
    await Promise.all(this.interfaces.map((i) => i.close()));
  }

  private realTime(command: RealTimeCommand, host: Host): void {
    if (command.kind === 'clear-buffer') {
      if (this.options.clearBuffer === false) return;
      this.buffer.clear();
      this.engine.clear();
      host.reply(Uint8Array.of(BLOCK_ANSWER, BUFFER_CLEARED_ANSWER, 0));
      this.emit('cleared');
      return;
    }
    const [printer, cause, paper] = encodeStatus(this.status);
    const byte = { [STATUS_PRINTER]: printer, [STATUS_OFFLINE_CAUSE]: cause, [STATUS_PAPER]: paper }[command.query] ?? 0b0001_0010;
    host.reply(Uint8Array.of(byte));
    this.emit('status', command.query);
  }
}
