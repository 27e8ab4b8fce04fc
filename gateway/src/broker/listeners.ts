import { createServer, type Server as TcpServer } from 'node:net';
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Aedes } from 'aedes';
import { WebSocketServer, createWebSocketStream } from 'ws';

export const MQTT_WS_PATH = '/mqtt';

/** MQTT over plain TCP, for devices and command-line clients. */
export async function listenTcp(broker: Aedes, host: string, port: number): Promise<TcpServer> {
  const server = createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

/** MQTT over WebSocket on the HTTP server's port, for the browser screens. */
export function attachWebSocket(broker: Aedes, httpServer: HttpServer): WebSocketServer {
  const wss = new WebSocketServer({ server: httpServer, path: MQTT_WS_PATH });
  wss.on('connection', (ws, req) => {
    const stream = createWebSocketStream(ws);
    // A socket torn down mid-frame errors the stream; aedes cleans up on close.
    stream.on('error', () => stream.destroy());
    broker.handle(stream, req);
  });
  return wss;
}

export function boundPort(server: TcpServer | HttpServer): number {
  return (server.address() as AddressInfo).port;
}

export function closeServer(server: TcpServer | HttpServer): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
