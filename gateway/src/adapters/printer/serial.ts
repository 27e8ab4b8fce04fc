import { SerialPort } from 'serialport';
import type { DeviceLink } from './link.js';

/** A serial line (RS-232, USB-serial, or a PTY in tests), 8N1: ten bits on the wire per byte. */
export class SerialLink implements DeviceLink {
  private port: SerialPort | undefined;
  private readonly dataListeners: ((chunk: Buffer) => void)[] = [];
  private readonly closeListeners: ((reason: string) => void)[] = [];

  constructor(
    private readonly path: string,
    private readonly baudRate: number,
  ) {}

  get description(): string {
    return `${this.path}@${this.baudRate}`;
  }

  get bytesPerSecond(): number {
    return this.baudRate / 10;
  }

  get isOpen(): boolean {
    return this.port?.isOpen === true;
  }

  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      // hupcl off: DTR/RTS ioctls fail on PTYs (FIELD-NOTES) and printers do not need them.
      const port = new SerialPort({ path: this.path, baudRate: this.baudRate, autoOpen: false, hupcl: false });
      port.open((err) => {
        if (err) {
          reject(err);
          return;
        }
        port.on('data', (chunk: Buffer) => this.dataListeners.forEach((l) => l(chunk)));
        port.on('error', () => undefined); // the close event that follows says what matters
        port.on('close', (closeErr: (Error & { disconnected?: boolean }) | null) => {
          if (this.port !== port) return;
          this.port = undefined;
          this.closeListeners.forEach((l) => l(closeErr?.disconnected ? 'disconnected' : 'closed'));
        });
        this.port = port;
        resolve();
      });
    });
  }

  write(bytes: Uint8Array): void {
    this.port?.write(Buffer.from(bytes));
  }

  async discardOutput(): Promise<void> {
    const port = this.port;
    if (!port?.isOpen) return;
    await new Promise<void>((resolve) => port.flush(() => resolve()));
  }

  onData(listener: (chunk: Buffer) => void): void {
    this.dataListeners.push(listener);
  }

  onClose(listener: (reason: string) => void): void {
    this.closeListeners.push(listener);
  }

  async close(): Promise<void> {
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }
}
