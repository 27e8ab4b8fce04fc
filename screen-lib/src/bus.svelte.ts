import * as z from 'zod/mini';
import { GatewayStatus, StoreInfo, TOPIC_ROOT, topicMatches } from '@forecourt/gateway/protocol';
import { MqttWs } from './mqtt-ws.js';

/** `idle`: not connected on purpose (not enrolled, signed out); `refused`: the broker refused the credentials. */
export type LinkState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'offline' | 'refused';

/**
 * How the screen logs in to the broker. An enrolled screen: client id and username are its device
 * id, the password its token. A signed-in staff screen: a `staff-…` client id and no username (the
 * session cookie rides on the WebSocket upgrade). Anything else is anonymous (the demo only).
 */
export interface BusLogin {
  clientId: string;
  username?: string;
  password?: string;
}

/** What the header and the link badge show of a bus (a page without one, the phone's, has the same). */
export type BusView = Pick<Bus, 'link' | 'offlineSince' | 'store' | 'gateway'>;

type Handler = (topic: string, payload: unknown) => void;

/** CONNACK codes that say "not you": 3.1.1 identifier rejected, bad credentials, not authorized (and their 5.0 twins). */
const REFUSED = new Set([2, 4, 5, 0x85, 0x86, 0x87]);

/**
 * The screen's one connection to the store bus (MQTT over WebSocket on the page's own host).
 * Reconnects by itself; retained messages re-render the screen after every reconnect. A refused
 * login does not retry: the screen's access controller checks its credentials and decides.
 */
export class Bus {
  link = $state<LinkState>('idle');
  /** When the link was last lost; cleared on reconnect. */
  offlineSince = $state<Date | undefined>(undefined);
  store = $state<StoreInfo | undefined>(undefined);
  gateway = $state<GatewayStatus | undefined>(undefined);

  private client: MqttWs | undefined;
  // Plain bookkeeping, never rendered: no reactivity wanted.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private readonly handlers = new Map<string, { schema: z.core.$ZodType; handler: Handler }[]>();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private readonly refusedListeners = new Set<(code: number) => void>();

  constructor(private readonly role: string) {
    this.on(`${TOPIC_ROOT}/+/store/info`, StoreInfo, (_t, info) => (this.store = info));
    this.on(`${TOPIC_ROOT}/+/gateway/status`, GatewayStatus, (_t, status) => (this.gateway = status));
  }

  /** A client id for a staff screen's connection. */
  staffLogin(): BusLogin {
    return { clientId: `staff-${this.role}-${Math.random().toString(16).slice(2, 10)}` };
  }

  /** Connects (again) with these credentials; an earlier connection is closed first. */
  connect(login: BusLogin, url = defaultUrl()): void {
    this.end();
    this.link = 'connecting';
    const client = new MqttWs(url, {
      clientId: login.clientId,
      ...(login.username !== undefined ? { username: login.username, password: login.password } : {}),
      reconnectPeriod: 2000,
      connectTimeout: 5000,
      keepalive: 15,
    });
    this.client = client;
    const current = () => this.client === client;
    client.on('connect', () => {
      if (!current()) return;
      this.link = 'connected';
      this.offlineSince = undefined;
    });
    client.on('reconnect', () => current() && (this.link = 'reconnecting'));
    client.on('close', () => {
      if (!current()) return;
      // A timestamp that is replaced, never mutated, so a plain Date is enough.
      // eslint-disable-next-line svelte/prefer-svelte-reactivity
      if (this.link === 'connected') this.offlineSince = new Date();
      if (this.link !== 'reconnecting' && this.link !== 'refused') this.link = 'offline';
    });
    client.on('refused', (code) => {
      if (!current() || !REFUSED.has(code)) return;
      this.link = 'refused';
      for (const listener of [...this.refusedListeners]) listener(code);
    });
    client.on('message', (topic, payload) => current() && this.dispatch(topic, payload));
    const filters = [...this.handlers.keys()];
    if (filters.length > 0) client.subscribe(filters);
  }

  /** Closes the connection on purpose (signed out, revoked); nothing reconnects until `connect`. */
  disconnect(): void {
    this.end();
    this.link = 'idle';
    this.offlineSince = undefined;
  }

  /** The broker refused this screen's login (revoked token, ended session). */
  onRefused(listener: (code: number) => void): () => void {
    this.refusedListeners.add(listener);
    return () => this.refusedListeners.delete(listener);
  }

  /**
   * Subscribes to a topic filter (now, and on every later connection); payloads that fail the
   * schema are logged and ignored. Returns the unsubscribe.
   */
  on<S extends z.core.$ZodType>(filter: string, schema: S, handler: (topic: string, payload: z.infer<S>) => void): () => void {
    const entry = { schema, handler: handler as Handler };
    const list = this.handlers.get(filter);
    if (list) list.push(entry);
    else {
      this.handlers.set(filter, [entry]);
      this.client?.subscribe([filter]);
    }
    return () => {
      const left = (this.handlers.get(filter) ?? []).filter((e) => e !== entry);
      if (left.length > 0) {
        this.handlers.set(filter, left);
        return;
      }
      this.handlers.delete(filter);
      this.client?.unsubscribe(filter);
    };
  }

  private end(): void {
    const client = this.client;
    this.client = undefined;
    client?.end();
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
        const parsed = z.safeParse(schema, json);
        if (parsed.success) handler(topic, parsed.data);
        else console.warn('bus: invalid payload', topic, parsed.error.issues[0]?.message);
      }
    }
  }
}

function defaultUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/mqtt`;
}

