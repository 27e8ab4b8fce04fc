import type { DeviceLink } from '../../adapters/printer/link.js';

/**
 * Holds each write back until a line of `bytesPerSecond` would have carried the bytes before
 * it: a PTY moves bytes instantly, a 9600-baud cable does not. Order is kept.
 */
export class PacedLink implements DeviceLink {
  private busyUntil = 0;

  constructor(
    private readonly inner: DeviceLink,
    readonly bytesPerSecond: number,
  ) {}

  get description(): string {
    return `${this.inner.description} (paced)`;
  }

  get isOpen(): boolean {
    return this.inner.isOpen;
  }

  open(): Promise<void> {
    this.busyUntil = 0;
    return this.inner.open();
  }

  write(bytes: Uint8Array): void {
    const now = performance.now();
    this.busyUntil = Math.max(now, this.busyUntil) + (bytes.length / this.bytesPerSecond) * 1000;
    const copy = Buffer.from(bytes);
    setTimeout(() => this.inner.write(copy), this.busyUntil - now);
  }

  /** Keeps the line silent for `ms` after what was written so far; later writes wait. */
  holdSilence(ms: number): void {
    this.busyUntil = Math.max(performance.now(), this.busyUntil) + ms;
  }

  discardOutput(): Promise<void> {
    return this.inner.discardOutput();
  }

  onData(listener: (chunk: Buffer) => void): void {
    this.inner.onData(listener);
  }

  onClose(listener: (reason: string) => void): void {
    this.inner.onClose(listener);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
