import type { z } from 'zod';
import { DeviceHeartbeat, DeviceState, GatewayStatus, StoreInfo } from './payloads.js';
import { CallEvent, DeskList, QueueMode, QueueSnapshot, RecentCalls, ServiceList } from './queue.js';
import { ID_PATTERN, parseTopic } from './topics.js';

/**
 * Every topic of the tree with its direction and payload schema. The broker validates client
 * publishes against it, and `npm run docs:topics` renders it as the firmware writer's table.
 */
export interface TopicDefinition {
  /** Pattern below `forecourt/v1/{store}/`, `{device}` standing for a device id. */
  pattern: string;
  publisher: 'gateway' | 'device';
  subscribers: string;
  retained: boolean;
  schema: z.ZodType;
  description: string;
}

export const TOPIC_DEFINITIONS: readonly TopicDefinition[] = [
  {
    pattern: 'gateway/status',
    publisher: 'gateway',
    subscribers: 'screens, devices',
    retained: true,
    schema: GatewayStatus,
    description: 'Gateway up or shutting down; screens show "offline" when it says false.',
  },
  {
    pattern: 'store/info',
    publisher: 'gateway',
    subscribers: 'screens',
    retained: true,
    schema: StoreInfo,
    description: "Store name in every language, the store's default language and time zone.",
  },
  {
    pattern: 'device/{device}/state',
    publisher: 'device',
    subscribers: 'gateway, desk',
    retained: true,
    schema: DeviceState,
    description:
      'Health of one device. Publish on connect and on every change; set the same topic with ' +
      'online=false as the MQTT will so the store sees a pulled cable at once.',
  },
  {
    pattern: 'queue/services',
    publisher: 'gateway',
    subscribers: 'kiosk, dispensers, board',
    retained: true,
    schema: ServiceList,
    description: 'Every service with its ticket prefix, names, people waiting and minutes a new ticket would wait.',
  },
  {
    pattern: 'queue/service/{service}',
    publisher: 'gateway',
    subscribers: 'board, desk',
    retained: true,
    schema: QueueSnapshot,
    description: 'One service\'s queue in call order (numbers and waited minutes only, no personal data), and who is being served where. Republished on every change and every 30 s.',
  },
  {
    pattern: 'queue/desks',
    publisher: 'gateway',
    subscribers: 'desk',
    retained: true,
    schema: DeskList,
    description: 'The desks and the services each one calls.',
  },
  {
    pattern: 'queue/mode',
    publisher: 'gateway',
    subscribers: 'kiosk, dispensers, board, desk',
    retained: true,
    schema: QueueMode,
    description: 'Peak or normal hours; `suggested` is true when the queue has grown past the threshold in normal mode.',
  },
  {
    pattern: 'queue/calls',
    publisher: 'gateway',
    subscribers: 'board',
    retained: true,
    schema: RecentCalls,
    description: 'The latest calls, newest first (at most 20).',
  },
  {
    pattern: 'queue/call',
    publisher: 'gateway',
    subscribers: 'board',
    retained: false,
    schema: CallEvent,
    description: 'One event per call or recall: the board chimes and speaks it. QoS 1.',
  },
  {
    pattern: 'device/{device}/heartbeat',
    publisher: 'device',
    subscribers: 'gateway',
    retained: false,
    schema: DeviceHeartbeat,
    description: 'Sent every 10 s while connected; QoS 0.',
  },
];

/** The definition a concrete topic belongs to, or undefined when it is not part of the tree. */
export function findTopicDefinition(topic: string): TopicDefinition | undefined {
  const parsed = parseTopic(topic);
  if (!parsed) return undefined;
  return TOPIC_DEFINITIONS.find((def) => matches(def.pattern.split('/'), parsed.rest));
}

function matches(pattern: string[], levels: string[]): boolean {
  if (pattern.length !== levels.length) return false;
  return pattern.every((p, i) => (p.startsWith('{') ? ID_PATTERN.test(levels[i] ?? '') : p === levels[i]));
}

export type InboundCheck =
  | { ok: true; definition: TopicDefinition; payload: unknown }
  | { ok: false; kind: 'unknown-topic' | 'gateway-only' | 'bad-payload'; reason: string };

/** Checks a publish from a client (not from the gateway itself) against the tree. */
export function checkInbound(topic: string, payload: Uint8Array): InboundCheck {
  const definition = findTopicDefinition(topic);
  if (!definition) return { ok: false, kind: 'unknown-topic', reason: 'unknown topic' };
  if (definition.publisher === 'gateway') return { ok: false, kind: 'gateway-only', reason: 'topic is published by the gateway only' };
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch {
    return { ok: false, kind: 'bad-payload', reason: 'payload is not UTF-8 JSON' };
  }
  const result = definition.schema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    return { ok: false, kind: 'bad-payload', reason: `${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}` };
  }
  return { ok: true, definition, payload: result.data };
}
