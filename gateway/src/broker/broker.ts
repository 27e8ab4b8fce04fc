import { Aedes, type AuthorizePublishHandler } from 'aedes';
import type { Logger } from 'pino';
import { checkInbound } from '../protocol/index.js';
import type { GatewayMetrics } from '../observability/metrics.js';

export interface BrokerOptions {
  maxPayloadBytes: number;
  log: Logger;
  metrics: GatewayMetrics;
}

/**
 * The store's aedes broker, with every client publish checked against the topic tree.
 *
 * DANGER, documented on purpose: aedes accepts every client by default. Until the security issue
 * adds per-device credentials, anyone on the store network can connect and subscribe; what we do
 * enforce is that a publish is well-formed and that gateway-owned topics cannot be spoofed.
 *
 * An invalid publish closes the sender's connection: MQTT 3.1.1 has no negative acknowledgement
 * (MQTT-3.3.5-2), and a silently dropped QoS 1 message would be retransmitted forever.
 */
export async function createBroker({ maxPayloadBytes, log, metrics }: BrokerOptions): Promise<Aedes> {
  const authorizePublish: AuthorizePublishHandler = (client, packet, callback) => {
    const reason = refusalReason(packet.topic, packet.payload, maxPayloadBytes);
    if (reason) {
      metrics.invalidDropped.inc({ reason: reason.kind });
      log.warn({ topic: packet.topic, client: client?.id, reason: reason.text }, 'invalid publish dropped');
      callback(new Error(`${packet.topic}: ${reason.text}`));
      return;
    }
    metrics.messagesIn.inc();
    callback(null);
  };

  const broker = await Aedes.createBroker({
    authorizePublish,
    authorizeForward: (_client, packet) => {
      metrics.messagesOut.inc();
      return packet;
    },
    // A frozen screen must not stall delivery to everyone else (FIELD-NOTES).
    drainTimeout: 10_000,
    keepaliveLimit: 300,
    connectTimeout: 10_000,
    maxTopicLevels: 12,
    heartbeatInterval: 60_000,
  });
  broker.on('clientError', (client, err) => log.debug({ client: client.id, err: err.message }, 'client error'));
  broker.on('connectionError', (client, err) => log.debug({ client: client.id, err: err.message }, 'connection error'));
  return broker;
}

type Refusal = { kind: 'reserved-topic' | 'too-large' | 'unknown-topic' | 'gateway-only' | 'bad-payload'; text: string };

function refusalReason(topic: string, payload: Buffer | string, maxPayloadBytes: number): Refusal | undefined {
  // Overriding authorizePublish drops aedes' own $SYS guard: keep it.
  if (topic.startsWith('$SYS')) return { kind: 'reserved-topic', text: '$SYS topics are reserved' };
  const bytes = typeof payload === 'string' ? Buffer.from(payload) : payload;
  if (bytes.length > maxPayloadBytes) return { kind: 'too-large', text: `payload over ${maxPayloadBytes} bytes` };
  const check = checkInbound(topic, bytes);
  if (check.ok) return undefined;
  return { kind: check.kind, text: check.reason };
}
