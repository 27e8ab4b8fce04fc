import { BarcodeScannerAgent } from '../adapters/barcode-scanner/agent.js';
import type { Extension, ExtensionContext } from './extension.js';

/** Runs an agent for each serial scanner in `workshop.scanners`, as devices on the gateway's own broker. */
export class BarcodeScanners implements Extension {
  readonly name = 'barcode-scanners';
  private agents: BarcodeScannerAgent[] = [];

  constructor(private readonly ctx: ExtensionContext) {}

  async start(): Promise<void> {
    const { config, now, log, mqttPort } = this.ctx;
    this.agents = config.workshop.scanners.map(
      (s) =>
        new BarcodeScannerAgent({
          url: `mqtt://127.0.0.1:${mqttPort()}`,
          store: config.store.id,
          id: s.id,
          path: s.path,
          baudRate: s.baudRate,
          loginFor: (id) => this.ctx.identity.internalCredentials({ id, deviceKind: 'barcode-scanner' }),
          now,
          log: log.child({ component: 'scanner' }),
        }),
    );
    await Promise.all(this.agents.map((a) => a.start()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.agents.map((a) => a.stop()));
    this.agents = [];
  }
}
