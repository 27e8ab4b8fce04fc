import type { Socket } from 'node:net';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { PrinterProfile } from '../../config/devices.js';
import { topics, type DeviceState } from '../../protocol/index.js';
import { PrintAgentCommand, type PrintAgentReport } from '../../protocol/print-agent.js';
import { deviceConnectOptions, type LoginFor } from '../mqtt-login.js';
import { PrinterAgent, type PrinterCondition, type PrinterTiming } from './agent.js';
import type { DeviceLink } from './link.js';
import { RemoteJobs } from './remote-jobs.js';

export interface PrinterBusAgentOptions {
  /** The store broker (mqtt://gateway:1883). */
  url: string;
  store: string;
  id: string;
  link: DeviceLink;
  profile: PrinterProfile;
  loginFor?: LoginFor;
  log: Logger;
  now: () => Date;
  timing?: Partial<PrinterTiming>;
  /** Wait between attempts to reach the broker. */
  reconnectMs?: number;
}

/**
 * A printer plugged into another PC than the gateway's, as a device on the bus: the same
 * PrinterAgent as in the gateway, fed by the jobs the gateway sends on `device/{id}/print/job`
 * (remote-jobs.ts) and reporting on `device/{id}/print/report`; the printer's condition goes on
 * `device/{id}/state`, set offline by the MQTT will when the agent itself goes away. Jobs print
 * while the broker is away; their reports go out once it is back.
 */
export class PrinterBusAgent {
  private client: MqttClient | undefined;
  private readonly agent: PrinterAgent;
  private readonly jobs: RemoteJobs;
  private readonly jobTopic: string;
  private condition: PrinterCondition = { online: false, health: 'error', reason: 'offline' };

  constructor(private readonly opts: PrinterBusAgentOptions) {
    this.jobTopic = topics.printAgentJob(opts.store, opts.id);
    this.jobs = new RemoteJobs({ report: (event, job, reason) => this.report(event, job, reason), wake: () => this.agent.wake(), log: opts.log });
    this.agent = new PrinterAgent({
      id: opts.id,
      link: opts.link,
      profile: opts.profile,
      jobs: this.jobs,
      now: opts.now,
      log: opts.log,
      onCondition: (condition) => {
        this.condition = condition;
        void this.publishState();
      },
      onPrinted: () => undefined,
      ...(opts.timing ? { timing: opts.timing } : {}),
    });
  }

  async start(): Promise<void> {
    const { url, store, id, now, log } = this.opts;
    const offline: DeviceState = { kind: 'printer', online: false, health: 'error', reason: 'offline', at: now().toISOString() };
    const client = mqtt.connect(url, {
      ...deviceConnectOptions(id, this.opts.loginFor),
      reconnectPeriod: this.opts.reconnectMs ?? 1000,
      // Subscribed on every connect below, before the state that tells the gateway to send.
      resubscribe: false,
      will: { topic: topics.deviceState(store, id), payload: Buffer.from(JSON.stringify(offline)), qos: 1, retain: true },
    });
    this.client = client;
    client.on('message', (topic, payload) => {
      if (topic === this.jobTopic) this.onCommand(payload);
    });
    client.on('connect', () => {
      (client.stream as Partial<Socket>).setNoDelay?.(true);
      void this.announce();
    });
    client.on('error', (err) => log.warn({ printer: id, err: err.message }, 'broker connection failed'));
    client.on('offline', () => log.warn({ printer: id }, 'broker unreachable; printing the jobs already here'));
    this.agent.start();
  }

  async stop(): Promise<void> {
    await this.agent.stop();
    this.condition = { online: false, health: 'error', reason: 'offline' };
    await this.publishState();
    await this.client?.endAsync();
    this.client = undefined;
  }

  /** Jobs received and not confirmed printed yet. */
  get queued(): number {
    return this.jobs.queued;
  }

  /** Subscribes, then says how the printer is: the gateway sends its unconfirmed jobs on that. */
  private async announce(): Promise<void> {
    const { client } = this;
    try {
      await client?.subscribeAsync(this.jobTopic, { qos: 1 });
      await this.publishState();
      this.opts.log.info({ printer: this.opts.id }, 'printer agent connected to the broker');
    } catch (err) {
      this.opts.log.warn({ printer: this.opts.id, err: (err as Error).message }, 'could not subscribe to print jobs');
    }
  }

  private onCommand(payload: Buffer): void {
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      json = undefined;
    }
    const command = PrintAgentCommand.safeParse(json);
    if (!command.success) {
      this.opts.log.warn({ printer: this.opts.id, reason: command.error.issues[0]?.message }, 'invalid print command ignored');
      return;
    }
    this.jobs.accept(command.data);
  }

  private report(event: PrintAgentReport['event'], job: string, reason?: string): void {
    const report: PrintAgentReport = { job, event, ...(reason ? { reason } : {}), at: this.opts.now().toISOString() };
    // QoS 1: kept by the client while the broker is away and sent once it is back.
    this.client?.publish(topics.printAgentReport(this.opts.store, this.opts.id), JSON.stringify(report), { qos: 1 }, (err) => {
      if (err) this.opts.log.warn({ printer: this.opts.id, job, event, err: err.message }, 'print report not sent');
    });
  }

  /** Only while connected: every (re)connect publishes the state as it is then. */
  private async publishState(): Promise<void> {
    if (!this.client?.connected) return;
    const state: DeviceState = { kind: 'printer', ...this.condition, at: this.opts.now().toISOString() };
    try {
      await this.client?.publishAsync(topics.deviceState(this.opts.store, this.opts.id), JSON.stringify(state), { qos: 1, retain: true });
    } catch (err) {
      this.opts.log.debug({ printer: this.opts.id, err: (err as Error).message }, 'printer state not published');
    }
  }
}
