import { createServer, type Server as TcpServer, type Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Aedes } from 'aedes';
import mqttPacket from 'mqtt-packet';
import { WebSocketServer, createWebSocketStream } from 'ws';
import { AEDES_LIMITS, type ConnectionGuard } from './limits.js';

export const MQTT_WS_PATH = '/mqtt';

// mqtt-packet (aedes' encoder) otherwise fills a cache of all 65,536 two-byte numbers as 65,536
// Buffers when it writes its first packet: 6.6 MB of V8 heap for ever, ~12 MB of RSS, to save
// one 2-byte allocation per packet. Set while the modules load, before any packet is written.
mqttPacket.writeToStream.cacheNumbers = false;

/** MQTT over plain TCP, for devices and command-line clients. */
export function listenTcp(broker: Aedes, guard: ConnectionGuard, host: string, port: number): Promise<TcpServer> {
  return listen(createServer(mqttHandler(broker, guard)), host, port);
}

/**
 * MQTT over TLS (8883) with the store's certificate. Connections count from the TCP accept, so
 * handshakes that never finish hold slots too, and only for as long as a missing CONNECT would.
 */
export function listenTls(broker: Aedes, guard: ConnectionGuard, host: string, port: number, credentials: TlsCredentials): Promise<TlsServer> {
  const server = createTlsServer({ ...credentials, handshakeTimeout: AEDES_LIMITS.connectTimeout }, (socket) => broker.handle(guard.limit(socket, socket)));
  server.on('connection', (socket: Socket) => guard.admit(socket));
  return listen(server, host, port);
}

export interface TlsCredentials {
  key: Buffer;
  cert: Buffer;
}

function mqttHandler(broker: Aedes, guard: ConnectionGuard): (socket: Socket) => void {
  return (socket) => {
    if (guard.admit(socket)) broker.handle(guard.limit(socket, socket));
  };
}

async function listen<S extends TcpServer>(server: S, host: string, port: number): Promise<S> {
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
