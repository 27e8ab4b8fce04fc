import mqtt, { type MqttClient } from 'mqtt';
import { deviceConnectOptions, type LoginFor } from '../adapters/mqtt-login.js';
import { topics, type DeviceHeartbeat, type DeviceKind, type DeviceState } from '../protocol/index.js';

export interface SimulatedDeviceOptions {
  url: string;
  store: string;
  id: string;
  kind: DeviceKind;
  now: () => Date;
  heartbeatMs: number;
  loginFor?: LoginFor;
}

/**
 * A device agent as real firmware would behave on the bus: retained state on connect, an MQTT
 * will that marks it offline, heartbeats while connected.
 */
export class SimulatedDevice {
  private client: MqttClient | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly startedAt: number;

  constructor(private readonly opts: SimulatedDeviceOptions) {
    this.startedAt = opts.now().getTime();
  }

  async start(): Promise<void> {
    const { url, store, id, kind, now } = this.opts;
    const offline: DeviceState = { kind, online: false, health: 'error', reason: 'offline', at: now().toISOString() };
    this.client = await mqtt.connectAsync(url, {
      ...deviceConnectOptions(id, this.opts.loginFor),
      reconnectPeriod: 2000,
      will: { topic: topics.deviceState(store, id), payload: Buffer.from(JSON.stringify(offline)), qos: 1, retain: true },
    });
    this.client.on('connect', () => void this.publishState());
    await this.publishState();
    this.timer = setInterval(() => void this.beat(), this.opts.heartbeatMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.client?.endAsync();
  }

  private async publishState(): Promise<void> {
    const state: DeviceState = { kind: this.opts.kind, online: true, health: 'ok', at: this.opts.now().toISOString() };
    await this.client?.publishAsync(topics.deviceState(this.opts.store, this.opts.id), JSON.stringify(state), { qos: 1, retain: true });
  }

  private async beat(): Promise<void> {
    const now = this.opts.now();
    const beat: DeviceHeartbeat = { at: now.toISOString(), uptimeS: Math.floor((now.getTime() - this.startedAt) / 1000) };
    await this.client?.publishAsync(topics.deviceHeartbeat(this.opts.store, this.opts.id), JSON.stringify(beat), { qos: 0 });
  }
}
