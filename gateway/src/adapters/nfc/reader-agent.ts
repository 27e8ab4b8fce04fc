import type { Logger } from 'pino';
import type { LoginFor } from '../mqtt-login.js';
import { loadNfcLibrary, type NfcConstructor, type NfcInstance, type NfcReader } from './nfc-library.js';
import { pcscdAnswers, pcscdSocketPath } from './pcscd-socket.js';
import { ReaderLink } from './reader-link.js';

export interface ReaderAgentOptions {
  /** The broker the readers publish on (the gateway's own, or a store gateway from a kiosk PC). */
  url: string;
  store: string;
  readers: readonly { id: string; pcscName: string }[];
  debounceMs: number;
  log: Logger;
  now: () => Date;
  socketPath?: string;
  loadNfc?: () => Promise<NfcConstructor>;
  /** Wait between attempts to reach pcscd: doubles from min to max, back to min after a good run. */
  backoff?: { minMs: number; maxMs: number };
  /** Each reader's broker login (its device credentials). */
  loginFor?: LoginFor;
}

/** How long pcscd may take to list a configured reader before it is reported missing. */
const READER_GRACE_MS = 3000;
/** A connection that lasted this long was healthy: the next failure retries quickly again. */
const HEALTHY_RUN_MS = 10_000;

/**
 * The NFC readers of one machine, on nfc-pcsc, with a supervisor around it: wait until pcscd
 * answers on its socket, then `new NFC()`; when that instance fails (pcscd stopped: an error and
 * `end` per reader, after which it never recovers) tear it down completely and start over with a
 * fresh one, backing off. Readers come and go without a restart of anything.
 */
export class ReaderAgent {
  private readonly links: Map<string, ReaderLink>;
  private readonly log: Logger;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private endSession: (() => void) | undefined;
  private wake: (() => void) | undefined;
  private instance: NfcInstance | undefined;
  /** NFC instances created so far (1 per pcscd connection). */
  sessions = 0;

  constructor(private readonly opts: ReaderAgentOptions) {
    this.log = opts.log.child({ component: 'nfc' });
    this.links = new Map(
      opts.readers.map((r) => [
        r.pcscName,
        new ReaderLink({ url: opts.url, store: opts.store, id: r.id, pcscName: r.pcscName, debounceMs: opts.debounceMs, log: this.log, now: opts.now, loginFor: opts.loginFor }),
      ]),
    );
  }

  async start(): Promise<void> {
    await Promise.all([...this.links.values()].map((l) => l.connect()));
    this.loop = this.supervise();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    this.endSession?.();
    await this.loop;
    await Promise.all([...this.links.values()].map((l) => l.close()));
  }

  /** For leak checks: listeners on the live nfc-pcsc objects. */
  listenerCount(): number {
    const nfc = this.instance;
    const own = nfc ? ['reader', 'error'].reduce((sum, e) => sum + nfc.listenerCount(e), 0) : 0;
    return own + [...this.links.values()].reduce((sum, l) => sum + l.listenerCount(), 0);
  }

  private async supervise(): Promise<void> {
    let NFC: NfcConstructor;
    try {
      NFC = await (this.opts.loadNfc ?? loadNfcLibrary)();
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      this.log.error(`NFC unavailable: ${reason}`);
      await this.all('nfc-unavailable');
      return;
    }
    const { minMs, maxMs } = this.opts.backoff ?? { minMs: 250, maxMs: 5000 };
    const socket = this.opts.socketPath ?? pcscdSocketPath();
    let delay = minMs;
    while (!this.stopped) {
      if (await pcscdAnswers(socket)) {
        const started = Date.now();
        await this.session(NFC);
        if (Date.now() - started > HEALTHY_RUN_MS) delay = minMs;
      } else {
        await this.all('pcscd-down');
      }
      if (this.stopped) break;
      await this.sleep(delay);
      delay = Math.min(delay * 2, maxMs);
    }
  }

  /** One nfc-pcsc instance, until pcscd fails, every configured reader has gone, or stop(). */
  private session(NFC: NfcConstructor): Promise<void> {
    return new Promise((resolve) => {
      const nfc = new NFC();
      this.instance = nfc;
      this.sessions += 1;
      const seen: NfcReader[] = [];
      const missing = setTimeout(() => {
        for (const link of this.links.values()) if (!link.attached) void link.publishHealth('reader-missing');
      }, READER_GRACE_MS);

      const finish = (): void => {
        if (this.endSession !== finish) return;
        this.endSession = undefined;
        this.instance = undefined;
        clearTimeout(missing);
        for (const link of this.links.values()) link.detach();
        // Swallow whatever the dead instance still emits: an 'error' without a listener would throw.
        for (const reader of seen) {
          reader.removeAllListeners();
          reader.on('error', () => undefined);
        }
        nfc.removeAllListeners();
        nfc.on('error', () => undefined);
        try {
          nfc.close();
        } catch (err) {
          this.log.debug({ err: (err as Error).message }, 'closing a dead NFC instance');
        }
        resolve();
      };
      this.endSession = finish;

      nfc.on('reader', (reader: NfcReader) => {
        seen.push(reader);
        const link = this.links.get(reader.name);
        if (!link) {
          this.log.info({ pcscName: reader.name }, 'PC/SC reader not in devices.readers; ignored');
          reader.on('error', () => undefined);
          return;
        }
        link.attach(reader);
        reader.once('end', () => {
          link.detach('reader-unplugged');
          // pcscd going away ends every reader; a fresh instance is the only way back.
          if (![...this.links.values()].some((l) => l.attached)) finish();
        });
      });
      nfc.on('error', (err: Error) => {
        this.log.warn({ err: err.message }, 'PC/SC connection lost; reconnecting');
        for (const link of this.links.values()) link.detach('pcscd-down');
        finish();
      });
    });
  }

  private async all(problem: 'pcscd-down' | 'nfc-unavailable'): Promise<void> {
    await Promise.all([...this.links.values()].map((l) => l.publishHealth(problem)));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
