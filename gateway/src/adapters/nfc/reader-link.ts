import type { Socket } from 'node:net';
import { deviceConnectOptions, type LoginFor } from '../mqtt-login.js';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { CARD_BYTES, CARD_FIRST_PAGE } from '../../domain/members/card-format.js';
import { CardWrite, topics, type CardTap, type CardWriteResult, type DeviceState } from '../../protocol/index.js';
import { TapDebouncer } from './debounce.js';
import type { NfcCard, NfcReader } from './nfc-library.js';

/** Why a reader is not usable; the desk's device panel shows it. */
export type ReaderProblem = 'pcscd-down' | 'reader-missing' | 'reader-unplugged' | 'nfc-unavailable';

/**
 * Proprietary AID (F0 + "FORECOURT"): nfc-pcsc selects it on ISO 14443-4 cards. No phone or bank
 * card has it, so their answer tells us "not a member card" without guessing from error texts.
 */
export const FORECOURT_AID = 'F0464F5245434F555254';

export interface ReaderLinkOptions {
  url: string;
  store: string;
  id: string;
  pcscName: string;
  debounceMs: number;
  log: Logger;
  now: () => Date;
  loginFor?: LoginFor | undefined;
}

/**
 * One configured reader as a device on the bus: its health, its taps, and the writes the gateway
 * asks of it. The supervisor (reader-agent.ts) attaches the nfc-pcsc reader whenever one with
 * the configured name is there, and detaches it when it is gone.
 */
export class ReaderLink {
  private client: MqttClient | undefined;
  private reader: NfcReader | undefined;
  private health = '';
  private readonly debouncer: TapDebouncer;
  private readonly writeTopic: string;

  constructor(private readonly opts: ReaderLinkOptions) {
    this.debouncer = new TapDebouncer(opts.debounceMs);
    this.writeTopic = topics.deviceWrite(opts.store, opts.id);
  }

  get pcscName(): string {
    return this.opts.pcscName;
  }

  get attached(): boolean {
    return this.reader !== undefined;
  }

  /** Listeners this link holds on its nfc-pcsc reader (for leak checks). */
  listenerCount(): number {
    const r = this.reader;
    return r ? ['card', 'card.off', 'error', 'end'].reduce((sum, e) => sum + r.listenerCount(e), 0) : 0;
  }

  async connect(): Promise<void> {
    const { url, store, id, now } = this.opts;
    const offline: DeviceState = { kind: 'nfc-reader', online: false, health: 'error', reason: 'offline', at: now().toISOString() };
    const client = mqtt.connect(url, {
      ...deviceConnectOptions(id, this.opts.loginFor),
      reconnectPeriod: 2000,
      will: { topic: topics.deviceState(store, id), payload: Buffer.from(JSON.stringify(offline)), qos: 1, retain: true },
    });
    this.client = client;
    client.on('message', (topic, payload) => {
      if (topic === this.writeTopic) void this.onWrite(payload);
    });
    client.on('connect', () => {
      // A tap is a few small writes: without this, Nagle holds them for the broker's delayed ACK (~40 ms).
      (client.stream as Partial<Socket>).setNoDelay?.(true);
      // After a reconnect, say again how the reader is (the broker may have restarted).
      const health = this.health;
      if (!health) return;
      this.health = '';
      void this.publishHealth(health === 'ok' ? undefined : (health as ReaderProblem));
    });
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    await client.subscribeAsync(this.writeTopic, { qos: 1 });
  }

  async close(): Promise<void> {
    this.detach();
    await this.client?.endAsync();
    this.client = undefined;
  }

  attach(reader: NfcReader): void {
    this.detach();
    this.reader = reader;
    reader.aid = FORECOURT_AID;
    reader.on('card', this.onCard);
    reader.on('card.off', this.onCardOff);
    reader.on('error', this.onError);
    void this.publishHealth(undefined);
  }

  /** Forgets the nfc-pcsc reader (gone, or its pcscd connection is being torn down). */
  detach(problem?: ReaderProblem): void {
    const reader = this.reader;
    if (reader) {
      reader.off('card', this.onCard);
      reader.off('card.off', this.onCardOff);
      reader.off('error', this.onError);
      this.reader = undefined;
      this.debouncer.allLeft();
    }
    if (problem) void this.publishHealth(problem);
  }

  /** Publishes the reader's health when it changed; undefined means ok. */
  async publishHealth(problem: ReaderProblem | undefined): Promise<void> {
    const key = problem ?? 'ok';
    if (key === this.health) return;
    this.health = key;
    const state: DeviceState = problem
      ? { kind: 'nfc-reader', online: true, health: 'error', reason: problem, at: this.opts.now().toISOString() }
      : { kind: 'nfc-reader', online: true, health: 'ok', at: this.opts.now().toISOString() };
    if (problem) this.opts.log.warn({ reader: this.opts.id, pcscName: this.opts.pcscName, problem }, 'NFC reader not usable');
    else this.opts.log.info({ reader: this.opts.id, pcscName: this.opts.pcscName }, 'NFC reader ready');
    await this.publish(topics.deviceState(this.opts.store, this.opts.id), state, true);
  }

  private readonly onCard = (card: NfcCard): void => {
    const at = this.opts.now().toISOString();
    if (card.standard === 'TAG_ISO_14443_4') {
      // A processor card that knows our AID does not exist yet; whatever answered is not ours.
      void this.publishTap({ kind: 'iso14443-4', at });
      return;
    }
    const uid = card.uid;
    if (!uid) {
      void this.publishTap({ kind: 'unreadable', at });
      return;
    }
    if (!this.debouncer.arrived(uid)) return;
    void this.readAndPublish(uid, at);
  };

  private readonly onCardOff = (card: NfcCard): void => {
    if (card.uid) this.debouncer.left(card.uid);
  };

  private readonly onError = (err: Error): void => {
    const card = this.reader?.card;
    this.opts.log.debug({ reader: this.opts.id, err: err.message }, 'NFC reader error');
    if (!card) return;
    const at = this.opts.now().toISOString();
    // nfc-pcsc reports a phone's "no such application" as an error of the ISO 14443-4 card.
    if (card.standard === 'TAG_ISO_14443_4') void this.publishTap({ kind: 'iso14443-4', at });
    else void this.publishTap({ kind: 'unreadable', ...(card.uid ? { uid: card.uid } : {}), at });
  };

  private async readAndPublish(uid: string, at: string): Promise<void> {
    const reader = this.reader;
    if (!reader) return;
    try {
      const data = await reader.read(CARD_FIRST_PAGE, CARD_BYTES);
      await this.publishTap({ kind: 'ntag', uid, data: data.toString('hex'), at });
    } catch (err) {
      this.opts.log.info({ reader: this.opts.id, err: (err as Error).message }, 'card could not be read');
      // Taken away too early: the same card back at once is a new attempt, not a repeat.
      this.debouncer.left(uid);
      await this.publishTap({ kind: 'unreadable', uid, at });
    }
  }

  private async onWrite(payload: Buffer): Promise<void> {
    let request: CardWrite;
    try {
      request = CardWrite.parse(JSON.parse(payload.toString()));
    } catch (err) {
      this.opts.log.warn({ reader: this.opts.id, err: (err as Error).message }, 'invalid write request ignored');
      return;
    }
    const reader = this.reader;
    const answer = (ok: boolean, error?: string): Promise<void> => {
      const result: CardWriteResult = { requestId: request.requestId, ok, ...(error ? { error } : {}), at: this.opts.now().toISOString() };
      return this.publish(topics.deviceWriteResult(this.opts.store, this.opts.id), result, false);
    };
    if (!reader || reader.card?.uid !== request.uid) return answer(false, 'card-gone');
    const data = Buffer.from(request.data, 'hex');
    try {
      await reader.write(request.page, data);
    } catch (err) {
      this.opts.log.warn({ reader: this.opts.id, err: (err as Error).message }, 'card write failed');
      return answer(false, 'write-failed');
    }
    try {
      const back = await reader.read(request.page, data.length);
      return answer(back.equals(data), back.equals(data) ? undefined : 'verify-failed');
    } catch {
      return answer(false, 'verify-failed');
    }
  }

  private async publishTap(tap: CardTap): Promise<void> {
    await this.publish(topics.deviceTap(this.opts.store, this.opts.id), tap, false);
  }

  private async publish(topic: string, payload: unknown, retain: boolean): Promise<void> {
    try {
      await this.client?.publishAsync(topic, JSON.stringify(payload), { qos: 1, retain });
    } catch (err) {
      this.opts.log.warn({ reader: this.opts.id, topic, err: (err as Error).message }, 'reader could not publish');
    }
  }
}
