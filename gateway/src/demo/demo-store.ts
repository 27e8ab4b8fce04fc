import type { Extension, ExtensionContext } from '../extensions/extension.js';
import { SimulatedDevice } from './simulated-device.js';

/** Demo mode: simulated devices on the real broker, so a fresh store shows life at once. */
export class DemoStore implements Extension {
  readonly name = 'demo-store';
  private devices: SimulatedDevice[] = [];
  private paperTimer: NodeJS.Timeout | undefined;

  constructor(private readonly ctx: ExtensionContext) {}

  async start(): Promise<void> {
    const { config, now, mqttPort } = this.ctx;
    const base = { url: `mqtt://127.0.0.1:${mqttPort()}`, store: config.store.id, now, heartbeatMs: 10_000 };
    this.devices = [
      new SimulatedDevice({ ...base, id: 'kiosk-reader-1', kind: 'nfc-reader' }),
      new SimulatedDevice({ ...base, id: 'dispenser-1', kind: 'dispenser' }),
      new SimulatedDevice({ ...base, id: 'printer-desk-1', kind: 'printer' }),
    ];
    await Promise.all(this.devices.map((d) => d.start()));
    // The desk printer's paper runs low now and then, so the device panel shows a warning state.
    let low = false;
    const printer = this.devices[2];
    this.paperTimer = setInterval(() => {
      low = !low;
      void printer?.setHealth(low ? 'warning' : 'ok', low ? 'paper-low' : undefined);
    }, 90_000);
  }

  async stop(): Promise<void> {
    clearInterval(this.paperTimer);
    await Promise.all(this.devices.map((d) => d.stop()));
  }
}
