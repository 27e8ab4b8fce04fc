import { randomBytes } from 'node:crypto';
import { RelayConfig } from '../config/relay.js';
import type { Config } from '../config/schema.js';
import { DmsSimulator } from '../tools/dms-simulator/index.js';
import { DEMO_MEMBERS, demoMembers } from './demo-members.js';
import type { MemberRecord } from '../domain/members/index.js';
import type { RepairOrderChange } from '../relay/inbound-changes.js';

/** Three repair orders booked in the DMS for tomorrow morning: the workshop shows them as appointments. */
function demoBookings(members: readonly MemberRecord[], now: Date): RepairOrderChange[] {
  const tomorrow = new Date(now.getTime() + 86_400_000);
  return members.slice(0, 3).flatMap((member, i) => {
    const vehicle = member.vehicles[0];
    if (!vehicle) return [];
    const at = new Date(Date.UTC(tomorrow.getUTCFullYear(), tomorrow.getUTCMonth(), tomorrow.getUTCDate(), 1 + i));
    return [{
      kind: 'repair-order' as const,
      order: { dmsId: `demo-ro-${member.id}`, plate: vehicle.plate, model: vehicle.model, customerId: member.id, vehicleId: vehicle.id, advisor: '王芳', appointmentAt: at.toISOString(), jobs: [{ title: '保养 Service', technicians: [] }] },
    }];
  });
}

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
    const members = demoMembers(1, DEMO_MEMBERS, now, config.store.timeZone);
    simulator.changes.addMembers(members);
    simulator.changes.add(demoBookings(members, now));
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
