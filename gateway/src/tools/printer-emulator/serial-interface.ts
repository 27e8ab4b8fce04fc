import { SerialPort } from 'serialport';
import { PacedLine } from './paced-line.js';
import type { PrinterEmulator } from './printer-emulator.js';

/** Bytes handed to the printer at a time: about 1.4 ms at 115200 baud. */
const ARRIVAL_BYTES = 16;

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
  private readonly incoming: PacedLine;
  private readonly outgoing: PacedLine;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly host = { reply: (bytes: Uint8Array) => this.outgoing.push(Buffer.from(bytes)) };

  constructor(
    private readonly printer: PrinterEmulator,
    private readonly path: string,
    private readonly baudRate: number,
    bytesPerSecond: number,
  ) {
    this.incoming = new PacedLine(bytesPerSecond, (bytes) => {
      this.arrived.push(bytes);
      this.drain();
    });
    this.outgoing = new PacedLine(bytesPerSecond, (bytes) => this.port?.write(bytes));
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
          this.incoming.clear();
          this.outgoing.clear();
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
    this.incoming.clear();
    this.outgoing.clear();
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  /** A read can hold many bytes; they arrive a few at a time, as from a cable, so printing starts at the first line. */
  private onData(chunk: Buffer): void {
    for (let i = 0; i < chunk.length; i += ARRIVAL_BYTES) this.incoming.push(chunk.subarray(i, i + ARRIVAL_BYTES));
  }

  /** Hands arrived bytes to the printer as far as its buffer takes them; reads on only when all are taken. */
  private drain(): void {
    for (let chunk = this.arrived.shift(); chunk; chunk = this.arrived.shift()) {
      const taken = this.printer.receive(chunk, this.host);
      if (taken < chunk.length) {
        this.arrived.unshift(chunk.subarray(taken));
        this.port?.pause();
        return;
      }
    }
    if (this.port?.isPaused()) this.port.resume();
  }

  private reopen(): void {
    if (this.closed) return;
    this.retry = setTimeout(() => {
      this.open().catch(() => this.reopen());
    }, 300);
  }
}
