import { topics, type GatewayStatus } from '../protocol/index.js';
import { storeInfoOf } from '../config/store-info.js';
import { publishJson } from '../broker/publish.js';
import type { Extension, ExtensionContext } from './extension.js';

/** Keeps the retained gateway status and store info that every screen reads first. */
export class StatusPublisher implements Extension {
  readonly name = 'status-publisher';
  private startedAt = '';
  private offline: Promise<void> | undefined;

  constructor(
    private readonly ctx: ExtensionContext,
    private readonly version: string,
    private readonly demo: boolean,
  ) {}

  async start(): Promise<void> {
    const { config, broker, now } = this.ctx;
    this.startedAt = now().toISOString();
    this.offline = undefined;
    await publishJson(broker, topics.storeInfo(config.store.id), storeInfoOf(config), true);
    await this.publishStatus(true);
  }

  /** The gateway is going away: screens show it at once, before their connections close. Once. */
  announceOffline(): Promise<void> {
    this.offline ??= this.publishStatus(false);
    return this.offline;
  }

  async stop(): Promise<void> {
    await this.announceOffline();
  }

  private publishStatus(online: boolean): Promise<void> {
    const status: GatewayStatus = { online, version: this.version, startedAt: this.startedAt, demo: this.demo };
    return publishJson(this.ctx.broker, topics.gatewayStatus(this.ctx.config.store.id), status, true);
  }
}
