import mqtt, { type MqttClient } from 'mqtt';
import type { z } from 'zod';
import { GatewayStatus, StoreInfo, TOPIC_ROOT } from '@forecourt/gateway/protocol';

export type LinkState = 'connecting' | 'connected' | 'reconnecting' | 'offline';

type Handler = (topic: string, payload: unknown) => void;

/**
 * The screen's one connection to the store bus (MQTT over WebSocket on the page's own host).
 * Reconnects by itself; retained messages re-render the screen after every reconnect.
 */
export class Bus {
  link = $state<LinkState>('connecting');
  /** When the link was last lost; cleared on reconnect. */
  offlineSince = $state<Date | undefined>(undefined);
  store = $state<StoreInfo | undefined>(undefined);
  gateway = $state<GatewayStatus | undefined>(undefined);

  private client: MqttClient | undefined;
  // Plain bookkeeping, never rendered: no reactivity wanted.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private readonly handlers = new Map<string, { schema: z.ZodType; handler: Handler }[]>();

  constructor(private readonly role: string) {}

  connect(url = defaultUrl()): void {
    this.client = mqtt.connect(url, {
      clientId: `${this.role}-${Math.random().toString(16).slice(2, 10)}`,
      reconnectPeriod: 2000,
      connectTimeout: 5000,
      keepalive: 15,
    });
    this.client.on('connect', () => {
      this.link = 'connected';
      this.offlineSince = undefined;
    });
    this.client.on('reconnect', () => (this.link = 'reconnecting'));
    this.client.on('close', () => {
      // A timestamp that is replaced, never mutated, so a plain Date is enough.
      // eslint-disable-next-line svelte/prefer-svelte-reactivity
      if (this.link === 'connected') this.offlineSince = new Date();
      if (this.link !== 'reconnecting') this.link = 'offline';
    });
    this.client.on('offline', () => (this.link = 'offline'));
    this.client.on('message', (topic, payload) => this.dispatch(topic, payload));

    this.on(`${TOPIC_ROOT}/+/store/info`, StoreInfo, (_t, info) => (this.store = info as StoreInfo));
    this.on(`${TOPIC_ROOT}/+/gateway/status`, GatewayStatus, (_t, status) => (this.gateway = status as GatewayStatus));
  }

  /** Subscribes to a topic filter; payloads that fail the schema are logged and ignored. */
  on<S extends z.ZodType>(filter: string, schema: S, handler: (topic: string, payload: z.infer<S>) => void): void {
    const list = this.handlers.get(filter) ?? [];
    list.push({ schema, handler: handler as Handler });
    this.handlers.set(filter, list);
    this.client?.subscribe(filter, { qos: 1 });
  }

  disconnect(): void {
    this.client?.end(true);
  }

  private dispatch(topic: string, raw: Uint8Array): void {
    for (const [filter, list] of this.handlers) {
      if (!topicMatches(filter, topic)) continue;
      let json: unknown;
      try {
        json = JSON.parse(new TextDecoder().decode(raw));
      } catch {
        console.warn('bus: not JSON', topic);
        continue;
      }
      for (const { schema, handler } of list) {
        const parsed = schema.safeParse(json);
        if (parsed.success) handler(topic, parsed.data);
        else console.warn('bus: invalid payload', topic, parsed.error.issues[0]?.message);
      }
    }
  }
}

function defaultUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/mqtt`;
}

export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length || (f[i] !== '+' && f[i] !== t[i])) return false;
  }
  return f.length === t.length;
}
