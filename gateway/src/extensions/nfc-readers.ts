import { Gauge } from 'prom-client';
import { ReaderAgent } from '../adapters/nfc/reader-agent.js';
import type { Extension, ExtensionContext } from './extension.js';

/**
 * The reader agent for the readers in `devices.readers`, run inside the gateway (a single-box
 * store). It is an MQTT client like any device, so the same agent can run on a kiosk PC instead.
 */
export class NfcReaders implements Extension {
  readonly name = 'nfc-readers';
  private agent: ReaderAgent | undefined;

  constructor(private readonly ctx: ExtensionContext) {}

  async start(): Promise<void> {
    const { config, log, now, mqttPort } = this.ctx;
    this.agent = new ReaderAgent({
      url: `mqtt://127.0.0.1:${mqttPort()}`,
      store: config.store.id,
      readers: config.devices.readers.filter((r) => r.agent === 'gateway'),
      debounceMs: config.members.tapDebounceMs,
      loginFor: (id) => {
        const reader = config.devices.readers.find((r) => r.id === id);
        return this.ctx.identity.internalCredentials({ id, deviceKind: 'nfc-reader', ...(reader ? { station: reader.station } : {}) });
      },
      log,
      now,
    });
    const agent = this.agent;
    // Operators (and the 200-tap test) see a leak or a reconnect loop here first.
    new Gauge({
      name: 'forecourt_nfc_listeners',
      help: 'Event listeners on the live nfc-pcsc objects (constant while readers work)',
      registers: [this.ctx.metrics.registry],
      collect() {
        this.set(agent.listenerCount());
      },
    });
    new Gauge({
      name: 'forecourt_nfc_pcsc_connections',
      help: 'nfc-pcsc instances created since start (one per pcscd (re)connection)',
      registers: [this.ctx.metrics.registry],
      collect() {
        this.set(agent.sessions);
      },
    });
    await agent.start();
  }

  async stop(): Promise<void> {
    await this.agent?.stop();
    this.agent = undefined;
  }
}
