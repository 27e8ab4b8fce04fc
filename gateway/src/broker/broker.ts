import { Aedes, type AuthorizePublishHandler } from 'aedes';
import type { Logger } from 'pino';
import { checkInbound, mayPublish } from '../protocol/index.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { Identity } from '../identity/identity.js';
import { BrokerAccess } from './access.js';
import { AEDES_LIMITS } from './limits.js';
import { holdGatewayPublishes } from './durable-publish.js';
import type { DurableOutputs } from '../store/group-commit.js';

export interface BrokerOptions {
  storeId: string;
  maxPayloadBytes: number;
  identity: Identity;
  log: Logger;
  metrics: GatewayMetrics;
  /** The gateway's own publishes wait for the commits before them (durable-publish.ts). */
  outputs: DurableOutputs;
}

/**
 * The store's aedes broker, closed to strangers: every connection is identified (broker/access.ts),
 * every publish and subscription is checked against the rule table of the topic registry, and
 * every publish against its payload schema. The gateway's own publishes leave only once what
 * they show is on disk (durable-publish.ts).
 *
 * DANGER, documented on purpose: aedes' defaults accept everyone and let anyone publish anywhere;
 * overriding authorizePublish also drops its built-in `$SYS/` guard. Both are replaced here;
 * do not create a broker for the store any other way.
 *
 * An invalid publish closes the sender's connection: MQTT 3.1.1 has no negative acknowledgement
 * (MQTT-3.3.5-2), and a silently dropped QoS 1 message would be retransmitted forever.
 */
export async function createBroker({ storeId, maxPayloadBytes, identity, log, metrics, outputs }: BrokerOptions): Promise<{ broker: Aedes; access: BrokerAccess }> {
  const access = new BrokerAccess(identity, storeId, log, metrics);

  const authorizePublish: AuthorizePublishHandler = (client, packet, callback) => {
    const reason = refusalReason(access, client, packet.topic, packet.payload, storeId, maxPayloadBytes);
    if (reason) {
      metrics.invalidDropped.inc({ reason: reason.kind });
      log.warn({ topic: packet.topic, client: client?.id, reason: reason.text }, 'publish refused');
      callback(new Error(`${packet.topic}: ${reason.text}`));
      return;
    }
    metrics.messagesIn.inc();
    callback(null);
  };

  const broker = await Aedes.createBroker({
    authenticate: access.authenticate,
    authorizePublish,
    authorizeSubscribe: access.authorizeSubscribe,
    authorizeForward: (_client, packet) => {
      metrics.messagesOut.inc();
      return packet;
    },
    // Connect, drain and keep-alive timing: see limits.ts.
    ...AEDES_LIMITS,
    maxTopicLevels: 12,
    heartbeatInterval: 60_000,
  });
  holdGatewayPublishes(broker, outputs);
  broker.on('clientDisconnect', (client) => access.forget(client));
  broker.on('clientError', (client, err) => log.debug({ client: client.id, err: err.message }, 'client error'));
  broker.on('connectionError', (client, err) => log.debug({ client: client.id, err: err.message }, 'connection error'));
  identity.onRevoked((match) => access.disconnect(match));
  return { broker, access };
}

type Refusal = { kind: 'reserved-topic' | 'too-large' | 'unknown-topic' | 'gateway-only' | 'bad-payload' | 'publish-refused'; text: string };

function refusalReason(
  access: BrokerAccess,
  client: Parameters<AuthorizePublishHandler>[0],
  topic: string,
  payload: Buffer | string,
  storeId: string,
  maxPayloadBytes: number,
): Refusal | undefined {
  if (topic.startsWith('$SYS')) return { kind: 'reserved-topic', text: '$SYS topics are reserved' };
  const bytes = typeof payload === 'string' ? Buffer.from(payload) : payload;
  if (bytes.length > maxPayloadBytes) return { kind: 'too-large', text: `payload over ${maxPayloadBytes} bytes` };
  const check = checkInbound(topic, bytes);
  if (!check.ok) return { kind: check.kind, text: check.reason };
  const allowed = mayPublish(access.principal(client), topic, storeId);
  return allowed.ok ? undefined : { kind: 'publish-refused', text: allowed.reason };
}
