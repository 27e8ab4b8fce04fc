import type { Extension, ExtensionContext } from '../extensions/extension.js';
import type { QueueService } from '../extensions/queue-service.js';
import { DemoTraffic } from './demo-traffic.js';
import { SimulatedDevice } from './simulated-device.js';

/** Demo mode: simulated devices on the real broker, so a fresh store shows life at once. */
export class DemoStore implements Extension {
  readonly name = 'demo-store';
  private devices: SimulatedDevice[] = [];
  private timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly ctx: ExtensionContext,
    private readonly queue: QueueService,
  ) {}

  async start(): Promise<void> {
    const { config, now, mqttPort } = this.ctx;
    const base = { url: `mqtt://127.0.0.1:${mqttPort()}`, store: config.store.id, now, heartbeatMs: 10_000 };
    const device = (id: string, kind: 'nfc-reader' | 'dispenser') =>
      new SimulatedDevice({ ...base, id, kind, loginFor: () => this.ctx.identity.internalCredentials({ id, deviceKind: kind }) });
    this.devices = [device('kiosk-reader-1', 'nfc-reader'), device('dispenser-1', 'dispenser')];
    await Promise.all(this.devices.map((d) => d.start()));
    const traffic = new DemoTraffic(this.queue);
    const every = (ms: number, fn: () => Promise<void>) =>
      this.timers.push(setInterval(() => void fn().catch((err: unknown) => this.ctx.log.warn({ err }, 'demo step failed')), ms));
    every(12_000, () => traffic.customerArrives());
    every(15_000, () => traffic.desksWork());
  }

  async stop(): Promise<void> {
    this.timers.forEach(clearInterval);
    this.timers = [];
    await Promise.all(this.devices.map((d) => d.stop()));
  }
}
