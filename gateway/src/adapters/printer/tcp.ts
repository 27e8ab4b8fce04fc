import { Socket } from 'node:net';
import type { DeviceLink } from './link.js';

const CONNECT_TIMEOUT_MS = 3000;

/** A printer's raw TCP port (JetDirect, 9100): bytes in, status bytes out. */
export class TcpLink implements DeviceLink {
  readonly bytesPerSecond = undefined;
  private socket: Socket | undefined;
  private readonly dataListeners: ((chunk: Buffer) => void)[] = [];
  private readonly closeListeners: ((reason: string) => void)[] = [];

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  get description(): string {
    return `tcp://${this.host}:${this.port}`;
  }

  get isOpen(): boolean {
    return this.socket !== undefined && !this.socket.destroyed && this.socket.readyState === 'open';
  }

  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = new Socket();
      const fail = (err: Error) => {
        socket.destroy();
        reject(err);
      };
      socket.setTimeout(CONNECT_TIMEOUT_MS, () => fail(new Error(`no answer from ${this.description} within ${CONNECT_TIMEOUT_MS} ms`)));
      socket.once('error', fail);
      socket.connect(this.port, this.host, () => {
        socket.off('error', fail);
        socket.setTimeout(0);
        socket.setNoDelay(true);
        socket.setKeepAlive(true, 5000);
        socket.on('data', (chunk) => this.dataListeners.forEach((l) => l(chunk)));
        socket.on('error', () => socket.destroy());
        socket.on('close', () => {
          if (this.socket !== socket) return;
          this.socket = undefined;
          this.closeListeners.forEach((l) => l('connection closed'));
        });
        this.socket = socket;
        resolve();
      });
    });
  }

  write(bytes: Uint8Array): void {
    this.socket?.write(bytes);
  }

  /** Unsent bytes live in the socket: the only way to drop them is to drop the connection. */
  async discardOutput(): Promise<void> {
    await this.close();
  }

  onData(listener: (chunk: Buffer) => void): void {
    this.dataListeners.push(listener);
  }

  onClose(listener: (reason: string) => void): void {
    this.closeListeners.push(listener);
  }

  async close(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    socket?.destroy();
  }
}
