import mqtt, { type MqttClient } from 'mqtt';
import { deviceConnectOptions, type LoginFor } from '../mqtt-login.js';
import type { Logger } from 'pino';
import { ScanCode, topics, type BarcodeScan, type DeviceState } from '../../protocol/index.js';
import { openScannerPort, type ScannerPort } from './serial-lines.js';

export interface BarcodeScannerAgentOptions {
  /** The store broker (mqtt://host:port): the agent runs in the gateway or on the bay PC alike. */
  url: string;
  store: string;
  id: string;
  path: string;
  baudRate: number;
  now: () => Date;
  log: Logger;
  loginFor?: LoginFor;
  /** How often a closed or missing port is tried again. */
  reopenMs?: number;
}

/**
 * A bay's serial barcode scanner as a device on the bus: every line it sends (`<barcode>\r\n`)
 * becomes one `device/{id}/scan` message; the gateway pairs cards and actions. The retained
 * device state says whether the scanner is there (`scanner-unplugged` while the port is closed),
 * and the MQTT will marks it offline when the agent itself goes away.
 */
export class BarcodeScannerAgent {
  private client: MqttClient | undefined;
  private port: ScannerPort | undefined;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;
  private health: Pick<DeviceState, 'health' | 'reason'> = { health: 'error', reason: 'scanner-unplugged' };

  constructor(private readonly opts: BarcodeScannerAgentOptions) {}

  async start(): Promise<void> {
    const { url, store, id, now } = this.opts;
    const offline: DeviceState = { kind: 'barcode-scanner', online: false, health: 'error', reason: 'offline', at: now().toISOString() };
    this.client = await mqtt.connectAsync(url, {
      ...deviceConnectOptions(id, this.opts.loginFor),
      reconnectPeriod: 2000,
      will: { topic: topics.deviceState(store, id), payload: Buffer.from(JSON.stringify(offline)), qos: 1, retain: true },
    });
    this.client.on('connect', () => void this.publishState());
    await this.openPort();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    const port = this.port;
    this.port = undefined;
    await port?.close();
    await this.client?.endAsync();
  }

  private async openPort(): Promise<void> {
    const { path, baudRate, log, id } = this.opts;
    try {
      this.port = await openScannerPort(path, baudRate, {
        line: (line) => void this.onLine(line),
        closed: (reason) => {
          log.warn({ scanner: id, path, reason }, 'barcode scanner port closed; trying again');
          this.port = undefined;
          void this.setHealth({ health: 'error', reason: 'scanner-unplugged' });
          this.scheduleReopen();
        },
      });
      log.info({ scanner: id, path }, 'barcode scanner open');
      await this.setHealth({ health: 'ok' });
    } catch (err) {
      log.warn({ scanner: id, path, err: (err as Error).message }, 'barcode scanner not available; trying again');
      await this.setHealth({ health: 'error', reason: 'scanner-unplugged' });
      this.scheduleReopen();
    }
  }

  private scheduleReopen(): void {
    if (this.stopped) return;
    clearTimeout(this.retry);
    this.retry = setTimeout(() => void this.openPort(), this.opts.reopenMs ?? 2000);
  }

  /** Line noise or a misread is dropped here: the broker would refuse it and disconnect the agent. */
  private async onLine(line: string): Promise<void> {
    const code = ScanCode.safeParse(line.trim());
    if (!code.success) {
      if (line.trim()) this.opts.log.warn({ scanner: this.opts.id, line: line.slice(0, 80) }, 'unreadable scan dropped');
      return;
    }
    const scan: BarcodeScan = { code: code.data, at: this.opts.now().toISOString() };
    await this.client?.publishAsync(topics.deviceScan(this.opts.store, this.opts.id), JSON.stringify(scan), { qos: 1 });
  }

  private async setHealth(health: Pick<DeviceState, 'health' | 'reason'>): Promise<void> {
    this.health = health;
    await this.publishState();
  }

  private async publishState(): Promise<void> {
    const state: DeviceState = { kind: 'barcode-scanner', online: true, ...this.health, at: this.opts.now().toISOString() };
    await this.client?.publishAsync(topics.deviceState(this.opts.store, this.opts.id), JSON.stringify(state), { qos: 1, retain: true });
  }
}
