import type { AedesPublishPacket } from 'aedes';
import { DeviceState, parseTopic, topics } from '../protocol/index.js';
import { DeviceRegistry } from '../store/device-registry.js';
import type { Extension, ExtensionContext } from './extension.js';

/** Records every device's retained state in SQLite, so the desk knows devices across restarts. */
export class DeviceMonitor implements Extension {
  readonly name = 'device-monitor';
  private registry: DeviceRegistry | undefined;
  private readonly topic: string;

  constructor(private readonly ctx: ExtensionContext) {
    this.topic = topics.deviceStateAll(ctx.config.store.id);
  }

  async start(): Promise<void> {
    this.registry = new DeviceRegistry(this.ctx.db);
    await new Promise<void>((resolve) => this.ctx.broker.subscribe(this.topic, this.onState, resolve));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.ctx.broker.unsubscribe(this.topic, this.onState, resolve));
  }

  // The broker already validated client payloads; parse again for the type and for safety.
  private readonly onState = (packet: AedesPublishPacket, done: () => void): void => {
    const device = parseTopic(packet.topic)?.rest[1];
    const parsed = DeviceState.safeParse(safeJson(packet.payload));
    if (device && parsed.success) this.registry?.record(device, parsed.data);
    done();
  };
}

function safeJson(payload: Buffer | string): unknown {
  try {
    return JSON.parse(payload.toString());
  } catch {
    return undefined;
  }
}
