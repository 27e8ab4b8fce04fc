import { randomBytes } from 'node:crypto';
import { RelayConfig } from '../config/relay.js';
import type { Config } from '../config/schema.js';
import { DmsSimulator } from '../tools/dms-simulator/index.js';
import { DEMO_MEMBERS, demoMembers } from './demo-members.js';

/**
 * Demo mode without a DMS (`relay.http` unset): the DMS simulator in the same process on
 * loopback, serving the demo members to the store's sync, so `npm start` shows head office
 * receiving the day at its URL. Started before the extensions, because the relay reads its
 * endpoint when it starts; stopped after them.
 */
export class DemoHeadOffice {
  private constructor(
    private readonly simulator: DmsSimulator,
    readonly url: string,
    private readonly token: string,
  ) {}

  static async start(config: Config, now: Date): Promise<DemoHeadOffice> {
    const token = randomBytes(18).toString('base64url');
    const simulator = new DmsSimulator({ token });
    simulator.changes.addMembers(demoMembers(1, DEMO_MEMBERS, now, config.store.timeZone));
    const url = await simulator.listen(config.relay.demoDmsPort, '127.0.0.1');
    return new DemoHeadOffice(simulator, url, token);
  }

  /** The store's config with the relay's HTTP link pointed here (the given config is left as it is). */
  configFor(config: Config): Config {
    return { ...config, relay: RelayConfig.parse({ ...config.relay, http: { url: this.url, token: this.token } }) };
  }

  stop(): Promise<void> {
    return this.simulator.close();
  }
}
