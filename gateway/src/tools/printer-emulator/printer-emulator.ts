import { EventEmitter } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { EscPosDecoder } from '../../adapters/printer/decoder.js';
import { pageText, type Page } from '../../adapters/printer/document.js';
import { SerialLink } from '../../adapters/printer/serial.js';
import { STATUS_OFFLINE_CAUSE, STATUS_PAPER, STATUS_PRINTER } from '../../adapters/printer/commands.js';
import { encodeStatus, type PrinterStatus } from '../../adapters/printer/status.js';
import type { PrinterEncoding } from '../../adapters/printer/text-encoding.js';

export interface PrintedPage {
  page: Page;
  text: string;
  at: Date;
}

export interface PrinterEmulatorOptions {
  /** The double-byte set of its "firmware": GB18030 (mainland) or Big5 (Taiwan, Hong Kong). */
  encoding: PrinterEncoding;
  /**
   * Bytes per second it consumes, as a real line would deliver them (a PTY or loopback has no
   * speed of its own). Undefined: as fast as they come. A serial port defaults to baud / 10.
   */
  bytesPerSecond?: number;
  /** Pages left on the roll; Infinity for endless paper. */
  paperPages?: number;
}

/** Pages left at which the paper sensor reports "near end". */
const NEAR_END_PAGES = 3;

/**
 * A thermal receipt printer in software: takes ESC/POS on TCP (port 9100) and/or a serial line,
 * decodes it back into pages (text runs with sizes, alignment, code page, QR payloads, cuts),
 * answers DLE EOT status queries, and runs out of paper when told to. A page is printed whole
 * at its cut if there is paper then, and thrown away otherwise (a real printer stops and drops
 * what it receives), so a job either printed or did not — the status answer after it says which.
 *
 * Events: `page` (PrintedPage), `discarded` (Page), `status` (query number, once its answer is sent).
 */
export class PrinterEmulator extends EventEmitter {
  readonly printed: PrintedPage[] = [];
  private paper: number;
  private paperEnd: boolean;
  private coverOpen = false;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private serial: SerialLink | undefined;
  private serialRetry: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: PrinterEmulatorOptions) {
    super();
    this.paper = options.paperPages ?? Infinity;
    this.paperEnd = this.paper <= 0;
  }

  get status(): PrinterStatus {
    return { offline: false, coverOpen: this.coverOpen, paperOut: this.paperEnd, paperLow: this.paper <= NEAR_END_PAGES, error: false };
  }

  /**
   * Pages left on the roll (Infinity: endless); 0 runs it out of paper now. When the roll runs
   * out by printing, the last page still comes out whole and the sensor reports "paper end" at
   * the next page, which is lost — the status answer after that job says so.
   */
  setPaper(pages: number): void {
    this.paper = pages;
    this.paperEnd = pages <= 0;
  }

  setCover(open: boolean): void {
    this.coverOpen = open;
  }

  /** Listens on TCP; resolves with the bound port (pass 0 for an ephemeral one). */
  listenTcp(port: number, host = '127.0.0.1'): Promise<number> {
    return new Promise((resolve, reject) => {
      const server = createServer((socket) => {
        this.sockets.add(socket);
        socket.setNoDelay(true);
        const feed = this.line(this.options.bytesPerSecond, (bytes) => socket.writable && socket.write(bytes));
        socket.on('data', feed);
        socket.on('error', () => socket.destroy());
        socket.on('close', () => this.sockets.delete(socket));
      });
      server.once('error', reject);
      server.listen(port, host, () => {
        this.server = server;
        const address = server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  }

  /** Opens a serial device (one end of a socat PTY pair in tests) and reopens it when it goes away. */
  async openSerial(path: string, baudRate: number): Promise<void> {
    const link = new SerialLink(path, baudRate);
    this.serial = link;
    const feed = this.line(this.options.bytesPerSecond ?? link.bytesPerSecond, (bytes) => link.write(bytes));
    link.onData(feed);
    link.onClose(() => this.reopen(link));
    await link.open();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.serialRetry);
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    await this.serial?.close();
  }

  private reopen(link: SerialLink): void {
    if (this.closed) return;
    this.serialRetry = setTimeout(() => {
      link.open().catch(() => this.reopen(link));
    }, 300);
  }

  /**
   * One connection's byte stream: each chunk is decoded when a line of `bytesPerSecond` would
   * have delivered its last byte, and answers take their own time back.
   */
  private line(bytesPerSecond: number | undefined, reply: (bytes: Uint8Array) => void): (chunk: Buffer) => void {
    const decoder = new EscPosDecoder(this.options.encoding);
    let busyUntil = 0;
    const handle = (chunk: Buffer) => {
      for (const event of decoder.push(chunk)) {
        if (event.type === 'page') this.finishPage(event.page);
        else this.answer(event.query, bytesPerSecond, reply);
      }
    };
    return (chunk) => {
      if (!bytesPerSecond) {
        handle(chunk);
        return;
      }
      const now = performance.now();
      busyUntil = Math.max(now, busyUntil) + (chunk.length / bytesPerSecond) * 1000;
      setTimeout(() => handle(chunk), busyUntil - now);
    };
  }

  private answer(query: number, bytesPerSecond: number | undefined, reply: (bytes: Uint8Array) => void): void {
    const [printer, cause, paper] = encodeStatus(this.status);
    const byte = query === STATUS_PRINTER ? printer : query === STATUS_OFFLINE_CAUSE ? cause : query === STATUS_PAPER ? paper : undefined;
    if (byte === undefined) return;
    const send = () => {
      reply(Uint8Array.of(byte));
      this.emit('status', query);
    };
    if (bytesPerSecond) setTimeout(send, 1000 / bytesPerSecond);
    else send();
  }

  private finishPage(page: Page): void {
    if (this.paper <= 0 || this.coverOpen) {
      this.paperEnd ||= this.paper <= 0;
      this.emit('discarded', page);
      return;
    }
    this.paper -= 1;
    const printed: PrintedPage = { page, text: pageText(page), at: new Date() };
    this.printed.push(printed);
    this.emit('page', printed);
  }
}
