import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { GatewayMetrics } from '../observability/metrics.js';

/** The limits of config `mqtt` that apply to each connection before aedes reads a byte. */
export interface MqttLimits {
  maxPacketBytes: number;
  maxConnections: number;
  maxPublishPerSecond: number;
}

/**
 * The limits aedes applies itself, to spread into Aedes.createBroker.
 *
 * - connectTimeout: aedes starts it when it is handed the socket, so a socket that never sends
 *   CONNECT is closed after 10 s; until then it holds one of maxConnections.
 * - drainTimeout: how long a subscriber may leave its outgoing queue unread (OutgoingQueue below).
 *   aedes' own timer is a last resort: it finishes a publish only once every matching subscriber
 *   has taken it, so a subscriber it waits for holds up everybody's messages.
 * - keepaliveLimit 0 (none): aedes' limit refuses keep alive 0, and anything above it, with
 *   CONNACK 6, a code MQTT 3.1.1 does not define (3.2.2.3). Keep alive 0 is legal and turns the
 *   mechanism off (3.1.2.10), so every value is accepted; TCP keep-alive (ConnectionGuard.admit)
 *   finds dead peers instead, and quiet live ones count against maxConnections.
 */
export const AEDES_LIMITS = { connectTimeout: 10_000, drainTimeout: 2_000, keepaliveLimit: 0 } as const;

const TCP_KEEPALIVE_DELAY_MS = 60_000;
/** A client's outgoing queue may hold this many of the largest packets before it is cut off. */
const QUEUED_PACKETS_PER_CLIENT = 4;
const REFUSED_WARN_INTERVAL_MS = 10_000;
const PUBLISH = 3;

/**
 * `bytes` is what the packet declared, when it declared something MQTT allows; for a slow
 * consumer, what waited in its queue.
 */
export type PacketRefusal = { kind: 'too-large'; bytes?: number } | { kind: 'rate-limited' } | { kind: 'slow-consumer'; bytes: number };

/**
 * Shared by the TCP and WebSocket listeners: counts the open connections and reads each one
 * through a PacketScanner, so a limit ends the connection before aedes buffers the packet.
 */
export class ConnectionGuard {
  private readonly open = new Set<Socket>();
  private closed = false;
  private refusedSinceWarn = 0;
  private lastWarnAt = -Infinity;
  private readonly refusedSockets = new WeakSet<Socket>();

  constructor(
    readonly limits: MqttLimits,
    private readonly log: Logger,
    private readonly metrics: GatewayMetrics,
  ) {}

  /** Counts the socket until it closes; destroys it instead when maxConnections are open or the gateway stops. */
  admit(socket: Socket): boolean {
    if (this.closed) {
      socket.destroy();
      return false;
    }
    if (this.open.size >= this.limits.maxConnections) {
      socket.destroy();
      this.countRefusedConnection();
      return false;
    }
    this.open.add(socket);
    socket.once('close', () => this.open.delete(socket));
    socket.setKeepAlive(true, TCP_KEEPALIVE_DELAY_MS);
    // Small packets at once: with Nagle a scan's result waited ~40 ms behind the PUBACK for the
    // device's delayed ACK (bench:bus: scan → result p50 43.8 ms with it, 0.8 ms without).
    socket.setNoDelay(true);
    return true;
  }

  /** The gateway is stopping: every connection from now on is refused at accept. */
  close(): void {
    this.closed = true;
  }

  /**
   * Ends every connection still open. aedes closes only the clients that finished CONNECT; a
   * socket that connected and said nothing yet would keep its listener from closing for the
   * 10 s connect timeout.
   */
  destroyAll(): void {
    for (const socket of this.open) socket.destroy();
  }

  /** What aedes should be handed instead of `conn`; `socket` is the TCP socket underneath. */
  limit(conn: Duplex, socket: Socket): Duplex {
    const queue = { maxBytes: QUEUED_PACKETS_PER_CLIENT * this.limits.maxPacketBytes, drainTimeoutMs: AEDES_LIMITS.drainTimeout };
    return new ScannedConnection(conn, new PacketScanner(this.limits), queue, (refusal) => this.countRefusedPacket(socket, refusal));
  }

  /** Counts and logs a packet refusal, once per connection (ws may refuse the same one again). */
  countRefusedPacket(socket: Socket, refusal: PacketRefusal): void {
    if (this.refusedSockets.has(socket)) return;
    this.refusedSockets.add(socket);
    this.metrics.invalidDropped.inc({ reason: refusal.kind });
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    if (refusal.kind === 'too-large') {
      this.log.warn({ peer, bytes: refusal.bytes, maxPacketBytes: this.limits.maxPacketBytes }, 'MQTT packet over maxPacketBytes: connection closed unread');
    } else if (refusal.kind === 'slow-consumer') {
      this.log.warn({ peer, queuedBytes: refusal.bytes }, 'MQTT client not reading what it subscribed to: connection closed');
    } else {
      this.log.warn({ peer, maxPublishPerSecond: this.limits.maxPublishPerSecond }, 'MQTT client over maxPublishPerSecond: connection closed');
    }
  }

  /** A flood of connections must not become a flood of log lines: one warning per interval. */
  private countRefusedConnection(): void {
    this.metrics.invalidDropped.inc({ reason: 'too-many-connections' });
    this.refusedSinceWarn++;
    const now = Date.now();
    if (now - this.lastWarnAt < REFUSED_WARN_INTERVAL_MS) return;
    this.log.warn({ refused: this.refusedSinceWarn, maxConnections: this.limits.maxConnections }, 'MQTT connections refused: maxConnections are open');
    this.lastWarnAt = now;
    this.refusedSinceWarn = 0;
  }
}

/** Gathered writes leave at once beyond this: a burst's frames stay moderate. */
const GATHER_MAX_BYTES = 16 * 1024;

/**
 * A client's outgoing queue: at most `maxBytes` waiting to be taken by the client, and never
 * waiting to drain for longer than `drainTimeoutMs`.
 */
interface OutgoingQueue {
  maxBytes: number;
  drainTimeoutMs: number;
}

/**
 * A connection as aedes should see it: each inbound chunk passes the scanner before it is pushed
 * on, so a refused packet ends the connection before the parser has buffered it.
 *
 * Writes are gathered for one turn of the event loop (gather below) and taken at once, so aedes
 * never waits for one client: it would hold up the publish for every other subscriber, and its
 * queue of publishes behind it, in memory. What the client has not read yet waits in its own
 * queue (`conn`'s write buffer), bounded: a client more than `maxBytes` behind, or whose queue
 * has not drained for `drainTimeoutMs`, is cut off. It reconnects and gets the retained state.
 */
class ScannedConnection extends Duplex {
  private drainTimer: NodeJS.Timeout | undefined;
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(
    private readonly conn: Duplex,
    private readonly scanner: PacketScanner,
    private readonly queue: OutgoingQueue,
    private readonly onRefusal: (refusal: PacketRefusal) => void,
  ) {
    super({ allowHalfOpen: false });
    conn.on('data', (chunk: Buffer) => this.onData(chunk));
    conn.on('end', () => this.push(null));
    conn.on('error', (err) => this.destroy(err));
    conn.on('close', () => this.destroy());
  }

  private onData(chunk: Buffer): void {
    if (this.destroyed) return;
    const refusal = this.scanner.scan(chunk);
    if (refusal) {
      this.onRefusal(refusal);
      this.destroy(new Error(`MQTT limit: ${refusal.kind}`));
    } else if (!this.push(chunk)) {
      this.conn.pause();
    }
  }

  override _read(): void {
    this.conn.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (err?: Error | null) => void): void {
    this.gather(chunk);
    done();
  }

  override _writev(chunks: { chunk: Buffer }[], done: (err?: Error | null) => void): void {
    for (const { chunk } of chunks) this.gather(chunk);
    done();
  }

  /**
   * mqtt-packet writes a packet as four or five small chunks, and aedes delivers each message in
   * its own setImmediate. Written one by one, each chunk would be its own WebSocket frame and
   * system call; gathered until the loop's next check phase, a burst of messages leaves as one
   * write (one frame: MQTT over WebSocket lets a frame hold several packets, MQTT 3.1.1 §6).
   */
  private gather(chunk: Buffer): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    const unread = this.conn.writableLength;
    if (unread > 0 && unread + this.pendingBytes > this.queue.maxBytes) this.cutOff(unread + this.pendingBytes);
    else if (this.pendingBytes >= GATHER_MAX_BYTES) this.flush();
    else if (this.pending.length === 1) setImmediate(() => this.flush());
  }

  private flush(): void {
    if (this.destroyed || this.pending.length === 0) return;
    this.queued(this.hand());
  }

  /** Hands what was gathered to the connection; false once its queue is past the high-water mark. */
  private hand(): boolean {
    const bytes = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    return this.conn.write(bytes);
  }

  /** After a write: `below` is false once the queue is past its high-water mark and must drain. */
  private queued(below: boolean): void {
    const bytes = this.conn.writableLength;
    if (bytes > this.queue.maxBytes) {
      this.cutOff(bytes);
    } else if (!below && this.drainTimer === undefined) {
      this.drainTimer = setTimeout(() => this.cutOff(this.conn.writableLength), this.queue.drainTimeoutMs);
      this.conn.once('drain', () => this.stopDrainTimer());
    }
  }

  private cutOff(bytes: number): void {
    if (this.destroyed) return;
    this.onRefusal({ kind: 'slow-consumer', bytes });
    this.destroy(new Error('MQTT limit: slow-consumer'));
  }

  private stopDrainTimer(): void {
    clearTimeout(this.drainTimer);
    this.drainTimer = undefined;
  }

  override _final(done: (err?: Error | null) => void): void {
    this.flush();
    this.conn.end(done);
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    this.stopDrainTimer();
    // aedes closes right after its last write (a refused CONNACK): that write still goes out.
    if (this.pending.length > 0 && !this.conn.destroyed) this.hand();
    this.conn.destroy();
    done(err);
  }
}

/**
 * Follows the MQTT packet boundaries of an inbound byte stream without keeping any bytes: the
 * fixed header (MQTT 3.1.1 §2.2) gives each packet's type and remaining length, the body is only
 * counted. Refuses a packet declaring more than maxPacketBytes, or a PUBLISH over the rate, as
 * soon as its header is complete.
 */
class PacketScanner {
  private firstByte: number | undefined;
  private length = 0;
  private lengthBytes = 0;
  private bodyLeft = 0;
  private readonly publishes: TokenBucket;

  constructor(private readonly limits: MqttLimits) {
    // Twice the rate as burst: a device that reconnects may send what it queued while offline.
    this.publishes = new TokenBucket(limits.maxPublishPerSecond, 2 * limits.maxPublishPerSecond);
  }

  scan(chunk: Buffer): PacketRefusal | undefined {
    let at = 0;
    while (at < chunk.length) {
      if (this.bodyLeft > 0) {
        const skipped = Math.min(this.bodyLeft, chunk.length - at);
        this.bodyLeft -= skipped;
        at += skipped;
        continue;
      }
      const byte = chunk.readUInt8(at++);
      if (this.firstByte === undefined) {
        this.firstByte = byte;
        continue;
      }
      const refusal = this.readLengthByte(this.firstByte, byte);
      if (refusal) return refusal;
    }
    return undefined;
  }

  /** One byte of the remaining length, 7 bits each, least significant first (§2.2.3). */
  private readLengthByte(firstByte: number, byte: number): PacketRefusal | undefined {
    this.length += (byte & 0x7f) * 128 ** this.lengthBytes++;
    const more = (byte & 0x80) !== 0;
    // A fifth length byte would declare more than MQTT itself allows.
    if (more && this.lengthBytes === 4) return { kind: 'too-large' };
    if (more) return undefined;
    const bytes = 1 + this.lengthBytes + this.length;
    this.bodyLeft = this.length;
    this.firstByte = undefined;
    this.length = 0;
    this.lengthBytes = 0;
    if (bytes > this.limits.maxPacketBytes) return { kind: 'too-large', bytes };
    if (firstByte >> 4 === PUBLISH && !this.publishes.take()) return { kind: 'rate-limited' };
    return undefined;
  }
}

/** `perSecond` tokens a second, up to `burst` saved up; each PUBLISH takes one. */
class TokenBucket {
  private tokens: number;
  private refilledAt = performance.now();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }

  take(): boolean {
    const now = performance.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) / 1000) * this.perSecond);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens--;
    return true;
  }
}
