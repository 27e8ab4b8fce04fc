import { afterEach, describe, expect, it } from 'vitest';
import { ServiceList, topics } from '@forecourt/gateway/protocol';
import { DispenserCounts } from '../../gateway/src/protocol/dispenser-agent.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { bearer, deviceLogin, deviceToken } from '../support/identities.js';
import { connectClient } from '../support/mqtt.js';
import { waitFor } from '../support/process.js';
import { command } from '../support/queue-api.js';
import { countTicketReads } from '../support/ticket-reads.js';

// A dispenser's display shows the waiting counts the kiosks show: taken from the service list the
// gateway has just announced, not from a read of the day's tickets per dispenser per change.

let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.dispose();
  gw = undefined;
});

describe('dispenser counts', () => {
  it('follow each change from the announced service list, with no read of their own', async () => {
    gw = await startTestGateway({
      configure: (config) => {
        config.devices.dispensers.push({ id: 'dispenser-a', agent: 'remote', buttons: { '1': 'maintenance', '2': 'repair' }, printer: 'printer-a' });
        config.devices.dispensers.push({ id: 'dispenser-b', agent: 'remote', buttons: { '1': 'repair' }, printer: 'printer-b' });
      },
    });
    const store = gw.config.store.id;
    const kiosk = bearer(deviceToken(gw.gateway, 'kiosk-1', 'kiosk', 'kiosk-1'));
    const agent = await connectClient(gw.mqttUrl, deviceLogin(gw.gateway, 'dispenser-a', 'dispenser'));
    const board = await connectClient(gw.wsUrl, deviceLogin(gw.gateway, 'board-1', 'board'));
    let counts: DispenserCounts | undefined;
    let services: ServiceList | undefined;
    agent.on('message', (_t, payload) => (counts = DispenserCounts.parse(JSON.parse(payload.toString()))));
    board.on('message', (_t, payload) => (services = ServiceList.parse(JSON.parse(payload.toString()))));
    await agent.subscribeAsync(topics.dispenserCounts(store, 'dispenser-a'), { qos: 1 });
    await board.subscribeAsync(topics.queueServices(store), { qos: 1 });

    const counted = countTicketReads();
    try {
      for (let i = 0; i < 3; i += 1) await command(gw.httpUrl, { action: 'issue', service: 'repair' }, kiosk);
      await command(gw.httpUrl, { action: 'issue', service: 'maintenance' }, kiosk);
      const shown = await waitFor(() => {
        const repair = services?.services.find((s) => s.code === 'repair');
        const button2 = counts?.counts.find((c) => c.button === 2);
        return repair?.waitingCount === 3 && button2?.waiting === 3 && counts?.counts.find((c) => c.button === 1)?.waiting === 1 ? { repair, button2 } : undefined;
      });
      // The same minutes as the kiosk's list, for the same moment.
      expect(shown.button2.minutes).toBe(shown.repair.estimatedWaitMin);
      // Each issue reads the day's tickets 3 times (queue-bus.test.ts); two dispensers add none.
      expect(counted.reads).toBe(4 * 3);
    } finally {
      counted.restore();
      await agent.endAsync();
      await board.endAsync();
    }
  });
});
