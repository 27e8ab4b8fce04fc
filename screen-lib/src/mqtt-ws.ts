/**
 * A small MQTT 3.1.1 client over WebSocket for the screens, which only ever subscribe: CONNECT
 * (client id, username, password, clean session, keepalive), SUBSCRIBE / UNSUBSCRIBE at QoS 1,
 * incoming PUBLISH at QoS 0 and 1 (acknowledged with PUBACK), PINGREQ, DISCONNECT. It reconnects
 * after a lost link, never after a refused login (the screen's access controller decides then).
 *
 * Why not mqtt.js: its browser bundle (Node's stream, buffer and events polyfills, MQTT 5,
 * publishing, stores) is ~105 kB gzip, more than a lounge board's whole budget; this is ~2 kB.
 * The gateway, the benches and the tests keep mqtt.js.
 */

export interface MqttWsOptions {
  clientId: string;
  username?: string;
  password?: string;
  /** Seconds; a PINGREQ goes out this often and a missing PINGRESP by the next one drops the link. */
  keepalive: number;
  reconnectPeriod: number;
  connectTimeout: number;
  /** The WebSocket class (tests in Node hand in `ws`'s). */
  WebSocket?: new (url: string, protocols: string) => WebSocketLike;
}

/** What the client needs of a WebSocket: the browser's and `ws`'s both fit. */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: Uint8Array): void;
  close(): void;
}

export interface MqttWsEvents {
  connect: () => void;
  reconnect: () => void;
  close: () => void;
  /** The broker's CONNACK refused the login (3.1.1 return code 1-5). */
  refused: (code: number) => void;
  message: (topic: string, payload: Uint8Array) => void;
}

const utf8 = new TextEncoder();
const decoder = new TextDecoder();

function str(value: string): number[] {
  const bytes = utf8.encode(value);
  return [bytes.length >> 8, bytes.length & 0xff, ...bytes];
}

function packet(type: number, body: number[]): Uint8Array {
  const len: number[] = [];
  let n = body.length;
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    len.push(byte);
  } while (n > 0);
  return Uint8Array.from([type, ...len, ...body]);
}

export class MqttWs {
  private socket: WebSocketLike | undefined;
  private buffer = new Uint8Array(0);
  private connected = false;
  private ended = false;
  private nextId = 1;
  private awaitingPong = false;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private connectTimer: ReturnType<typeof setTimeout> | undefined;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly listeners: { [K in keyof MqttWsEvents]: MqttWsEvents[K][] } = { connect: [], reconnect: [], close: [], refused: [], message: [] };
  /** Filters subscribed now and again after every reconnect. */
  private readonly filters = new Set<string>();

  constructor(
    private readonly url: string,
    private readonly options: MqttWsOptions,
  ) {
    this.open();
  }

  on<K extends keyof MqttWsEvents>(event: K, listener: MqttWsEvents[K]): void {
    this.listeners[event].push(listener);
  }

  subscribe(filters: string[]): void {
    const fresh = filters.filter((f) => !this.filters.has(f));
    for (const f of fresh) this.filters.add(f);
    if (this.connected && fresh.length > 0) this.sendSubscribe(fresh);
  }

  unsubscribe(filter: string): void {
    if (!this.filters.delete(filter) || !this.connected) return;
    this.send(packet(0xa2, [...this.id(), ...str(filter)]));
  }

  /** Closes for good (DISCONNECT first when connected); no reconnect. */
  end(): void {
    this.ended = true;
    clearTimeout(this.reconnectTimer);
    if (this.connected) this.send(packet(0xe0, []));
    this.drop();
  }

  private emit<K extends keyof MqttWsEvents>(event: K, ...args: Parameters<MqttWsEvents[K]>): void {
    for (const listener of [...this.listeners[event]]) (listener as (...a: Parameters<MqttWsEvents[K]>) => void)(...args);
  }

  private open(): void {
    const Socket = this.options.WebSocket ?? (WebSocket as unknown as new (url: string, protocols: string) => WebSocketLike);
    let socket: WebSocketLike;
    try {
      socket = new Socket(this.url, 'mqtt');
    } catch {
      this.lost();
      return;
    }
    this.socket = socket;
    this.buffer = new Uint8Array(0);
    socket.binaryType = 'arraybuffer';
    this.connectTimer = setTimeout(() => this.socket === socket && this.drop(), this.options.connectTimeout);
    socket.onopen = () => {
      if (this.socket !== socket) return;
      const { clientId, username, password, keepalive } = this.options;
      const flags = 0x02 | (username !== undefined ? 0x80 : 0) | (password !== undefined ? 0x40 : 0);
      this.send(packet(0x10, [...str('MQTT'), 4, flags, keepalive >> 8, keepalive & 0xff, ...str(clientId), ...(username !== undefined ? str(username) : []), ...(password !== undefined ? str(password) : [])]));
    };
    socket.onmessage = (ev) => this.socket === socket && this.receive(new Uint8Array(ev.data as ArrayBuffer));
    socket.onclose = () => this.socket === socket && this.drop();
    socket.onerror = () => this.socket === socket && this.drop();
  }

  /** Closes the socket, then reconnects unless ended or refused. */
  private drop(): void {
    const socket = this.socket;
    if (!socket) return;
    this.socket = undefined;
    this.connected = false;
    clearTimeout(this.connectTimer);
    clearInterval(this.pingTimer);
    socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
    try {
      socket.close();
    } catch {
      // Closing a socket that never opened.
    }
    this.emit('close');
    this.lost();
  }

  private lost(): void {
    if (this.ended) return;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => {
      if (this.ended) return;
      this.emit('reconnect');
      this.open();
    }, this.options.reconnectPeriod);
  }

  private send(bytes: Uint8Array): void {
    if (this.socket?.readyState === 1) this.socket.send(bytes);
  }

  private id(): number[] {
    const id = this.nextId;
    this.nextId = id === 0xffff ? 1 : id + 1;
    return [id >> 8, id & 0xff];
  }

  private sendSubscribe(filters: string[]): void {
    this.send(packet(0x82, [...this.id(), ...filters.flatMap((f) => [...str(f), 1])]));
  }

  private receive(chunk: Uint8Array): void {
    const joined = new Uint8Array(this.buffer.length + chunk.length);
    joined.set(this.buffer);
    joined.set(chunk, this.buffer.length);
    let at = 0;
    for (;;) {
      // Fixed header: type byte, then 1-4 bytes of remaining length.
      let length = 0;
      let multiplier = 1;
      let pos = at + 1;
      let complete = false;
      while (pos < joined.length && pos - at <= 4) {
        const byte = joined[pos++] ?? 0;
        length += (byte & 0x7f) * multiplier;
        multiplier *= 128;
        if ((byte & 0x80) === 0) {
          complete = true;
          break;
        }
      }
      if (!complete || pos + length > joined.length) break;
      this.handle(joined[at] ?? 0, joined.subarray(pos, pos + length));
      if (!this.socket) return;
      at = pos + length;
    }
    this.buffer = joined.slice(at);
  }

  private handle(header: number, body: Uint8Array): void {
    const type = header >> 4;
    if (type === 2) {
      // CONNACK: [flags, return code]
      clearTimeout(this.connectTimer);
      const code = body[1] ?? 0;
      if (code !== 0) {
        // Bad credentials or not authorized: retrying cannot help. Server unavailable: it may.
        if (code === 2 || code === 4 || code === 5) this.ended = true;
        this.emit('refused', code);
        this.drop();
        return;
      }
      this.connected = true;
      this.awaitingPong = false;
      clearInterval(this.pingTimer);
      this.pingTimer = setInterval(() => {
        if (this.awaitingPong) return this.drop();
        this.awaitingPong = true;
        this.send(packet(0xc0, []));
      }, this.options.keepalive * 1000);
      if (this.filters.size > 0) this.sendSubscribe([...this.filters]);
      this.emit('connect');
    } else if (type === 3) {
      // PUBLISH: topic, packet id when QoS > 0, payload
      const qos = (header >> 1) & 0x03;
      const topicLength = ((body[0] ?? 0) << 8) | (body[1] ?? 0);
      const topic = decoder.decode(body.subarray(2, 2 + topicLength));
      let offset = 2 + topicLength;
      if (qos > 0) {
        const id = [body[offset] ?? 0, body[offset + 1] ?? 0];
        offset += 2;
        // QoS 1 is what the screens subscribe with; a QoS 2 grant is never asked for.
        if (qos === 1) this.send(packet(0x40, id));
      }
      this.emit('message', topic, body.slice(offset));
    } else if (type === 13) {
      this.awaitingPong = false;
    }
    // SUBACK, UNSUBACK: nothing to do (a refused filter's messages just never come).
  }
}
