import { createServer, type Server, type Socket } from 'node:net';
import type { PrinterEmulator } from './printer-emulator.js';

/**
 * The printer's network interface (raw TCP, port 9100). It stops reading a connection while the
 * receive buffer is full, so TCP's own flow control holds the host back; answers go out at once.
 */
export class TcpInterface {
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;
  port = 0;

  constructor(private readonly printer: PrinterEmulator) {
    this.server = createServer((socket) => this.connection(socket));
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        const address = this.server.address();
        this.port = typeof address === 'object' && address ? address.port : port;
        resolve(this.port);
      });
    });
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server.listening ? this.server.close(() => resolve()) : resolve()));
  }

  private connection(socket: Socket): void {
    const { printer } = this;
    this.sockets.add(socket);
    socket.setNoDelay(true);
    const host = { reply: (bytes: Uint8Array) => void (socket.writable && socket.write(bytes)) };
    let held: Buffer | undefined;
    const feed = (chunk: Buffer): void => {
      const taken = printer.receive(chunk, host);
      if (taken === chunk.length) return;
      held = chunk.subarray(taken);
      socket.pause();
    };
    const onSpace = (): void => {
      if (!held) return;
      const rest = held;
      held = undefined;
      feed(rest);
      if (!held) socket.resume();
    };
    printer.on('space', onSpace);
    socket.on('data', feed);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      this.sockets.delete(socket);
      printer.off('space', onSpace);
    });
  }
}
