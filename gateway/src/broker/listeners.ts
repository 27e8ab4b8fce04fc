import { createServer, type Server as TcpServer } from 'node:net';
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Aedes } from 'aedes';
import { WebSocketServer, createWebSocketStream } from 'ws';
import type { ConnectionGuard } from './limits.js';

export const MQTT_WS_PATH = '/mqtt';

/** MQTT over plain TCP, for devices and command-line clients. */
export async function listenTcp(broker: Aedes, guard: ConnectionGuard, host: string, port: number): Promise<TcpServer> {
  const server = createServer((socket) => {
    if (guard.admit(socket)) broker.handle(guard.limit(socket, socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

/**
 * MQTT over WebSocket on the HTTP server's port, for the browser screens. ws refuses a single
 * message over maxPacketBytes as its header arrives; the guard sees packets split over messages.
 */
export function attachWebSocket(broker: Aedes, guard: ConnectionGuard, httpServer: HttpServer): WebSocketServer {
  const wss = new WebSocketServer({ server: httpServer, path: MQTT_WS_PATH, maxPayload: guard.limits.maxPacketBytes });
  wss.on('connection', (ws, req) => {
    if (!guard.admit(req.socket)) return;
    ws.on('error', (err: Error & { code?: string }) => {
      if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') guard.countRefusedPacket(req.socket, { kind: 'too-large' });
    });
    const stream = createWebSocketStream(ws);
    // A socket torn down mid-frame errors the stream; aedes cleans up on close.
    stream.on('error', () => stream.destroy());
    broker.handle(guard.limit(stream, req.socket), req);
  });
  return wss;
}

export function boundPort(server: TcpServer | HttpServer): number {
  return (server.address() as AddressInfo).port;
}

export function closeServer(server: TcpServer | HttpServer): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
