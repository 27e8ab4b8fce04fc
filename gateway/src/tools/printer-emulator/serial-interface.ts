import { SerialPort } from 'serialport';
import type { PrinterEmulator } from './printer-emulator.js';

/**
 * The printer's serial interface. A PTY moves bytes instantly, so the interface paces them as a
 * cable of `bytesPerSecond` would: each chunk arrives when its last byte would have, and each
 * answer leaves a byte-time per byte later. While the receive buffer is full it stops reading
 * the port (the busy signal of a real printer): the PTY fills and the host's writes wait. When
 * the port goes away (cable pulled) it opens it again; the printer keeps what it received.
 */
export class SerialInterface {
  private port: SerialPort | undefined;
  private arrived: Buffer[] = [];
  private arrivesAt = 0;
  private repliesAt = 0;
  private retry: NodeJS.Timeout | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;
  private readonly host = { reply: (bytes: Uint8Array) => this.reply(bytes) };

  constructor(
    private readonly printer: PrinterEmulator,
    private readonly path: string,
    private readonly baudRate: number,
    private readonly bytesPerSecond: number,
  ) {
    printer.on('space', () => this.drain());
  }

  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      // A small read size keeps what the printer has not taken in the PTY, where it holds the host back.
      const port = new SerialPort({ path: this.path, baudRate: this.baudRate, autoOpen: false, hupcl: false, highWaterMark: 256 });
      port.open((err) => {
        if (err) {
          reject(err);
          return;
        }
        port.on('data', (chunk: Buffer) => this.onData(chunk));
        port.on('error', () => undefined); // the close that follows says what matters
        port.on('close', () => {
          if (this.port !== port) return;
          this.port = undefined;
          // Bytes still on the wire are lost with the cable; what arrived stays in the printer.
          this.timers.forEach(clearTimeout);
          this.timers.clear();
          this.arrivesAt = 0;
          this.repliesAt = 0;
          this.reopen();
        });
        this.port = port;
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    this.timers.forEach(clearTimeout);
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  private onData(chunk: Buffer): void {
    const now = performance.now();
    this.arrivesAt = Math.max(now, this.arrivesAt) + (chunk.length / this.bytesPerSecond) * 1000;
    this.later(this.arrivesAt - now, () => {
      this.arrived.push(chunk);
      this.drain();
    });
  }

  /** Hands arrived bytes to the printer as far as its buffer takes them; reads on only when all are taken. */
  private drain(): void {
    while (this.arrived.length > 0) {
      const chunk = this.arrived[0]!;
      const taken = this.printer.receive(chunk, this.host);
      if (taken < chunk.length) {
        this.arrived[0] = chunk.subarray(taken);
        this.port?.pause();
        return;
      }
      this.arrived.shift();
    }
    if (this.port?.isPaused()) this.port.resume();
  }

  private reply(bytes: Uint8Array): void {
    const now = performance.now();
    this.repliesAt = Math.max(now, this.repliesAt) + (bytes.length / this.bytesPerSecond) * 1000;
    const copy = Buffer.from(bytes);
    this.later(this.repliesAt - now, () => this.port?.write(copy));
  }

  private later(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    this.timers.add(timer);
  }

  private reopen(): void {
    if (this.closed) return;
    this.retry = setTimeout(() => {
      this.open().catch(() => this.reopen());
    }, 300);
  }
}
