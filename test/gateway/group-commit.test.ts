import { afterEach, describe, expect, it } from 'vitest';
import { QueueSnapshot, topics } from '@forecourt/gateway/protocol';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { collect, connectClient } from '../support/mqtt.js';
import { command } from '../support/queue-api.js';
import { bearer, deviceLogin, deviceToken } from '../support/identities.js';

// A real gateway whose disk the test can stall: a kiosk's ticket is neither answered nor shown on
// a board until the fsync that makes it durable has finished; a failed fsync shows it never.

/** A disk whose fsyncs pass, or wait until released, or fail, as the test says. */
class StallableDisk {
  private mode: 'pass' | 'hold' | 'fail' = 'pass';
  private readonly held: (() => void)[] = [];
  synced = 0;

  readonly syncFile = (): Promise<void> => {
    if (this.mode === 'fail') return Promise.reject(new Error('EIO: i/o error'));
    if (this.mode === 'pass') return this.done();
    return new Promise((resolve) => this.held.push(() => void this.done().then(resolve)));
  };

  hold(): void {
    this.mode = 'hold';
  }

  fail(): void {
    this.mode = 'fail';
  }

  release(): void {
    this.mode = 'pass';
    for (const finish of this.held.splice(0)) finish();
  }

  get waiting(): number {
    return this.held.length;
  }

  private done(): Promise<void> {
    this.synced += 1;
    return Promise.resolve();
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.dispose();
  gw = undefined;
});

describe('group commit in the gateway', () => {
  it('answers the kiosk and tells the board only once the ticket is on disk', async () => {
    const disk = new StallableDisk();
    gw = await startTestGateway({ deps: { syncFile: disk.syncFile } });
    const store = gw.config.store.id;
    const kiosk = bearer(deviceToken(gw.gateway, 'kiosk-1', 'kiosk', 'kiosk-1'));
    const board = await connectClient(gw.wsUrl, deviceLogin(gw.gateway, 'board-1', 'board'));
    const seen = collect(board);
    await board.subscribeAsync(topics.queueService(store, 'maintenance'), { qos: 1 });
    await expect.poll(() => seen.messages.length).toBeGreaterThan(0); // the retained snapshot
    seen.messages.length = 0;

    disk.hold();
    let answered = false;
    const answer = command(gw.httpUrl, { action: 'issue', service: 'maintenance' }, kiosk).finally(() => (answered = true));
    await expect.poll(() => disk.waiting).toBeGreaterThan(0);
    await pause(300);
    expect(answered).toBe(false);
    expect(seen.messages).toEqual([]);

    disk.release();
    const { status, body } = await answer;
    expect(status).toBe(200);
    const number = body.ticket?.number;
    await expect
      .poll(() => seen.messages.map((m) => QueueSnapshot.parse(JSON.parse(m.payload))).some((s) => s.waiting.some((t) => t.number === number)))
      .toBe(true);
    await board.endAsync();
  });

  it('never answers after a failed fsync, and says the gateway must restart', async () => {
    const disk = new StallableDisk();
    const lost: unknown[] = [];
    gw = await startTestGateway({ deps: { syncFile: disk.syncFile, onDurabilityLost: (err) => lost.push(err) } });
    const kiosk = bearer(deviceToken(gw.gateway, 'kiosk-1', 'kiosk', 'kiosk-1'));
    expect(gw.gateway.health().checks['database']).toBe(true);

    disk.fail();
    await expect(command(gw.httpUrl, { action: 'issue', service: 'maintenance' }, kiosk)).rejects.toThrow();
    expect(lost).toHaveLength(1);
    expect(gw.gateway.health()).toMatchObject({ ok: false, checks: { database: false } });
    // The disk answers again, but a failed fsync is never trusted to have kept the data.
    disk.release();
    await expect(command(gw.httpUrl, { action: 'issue', service: 'maintenance' }, kiosk)).rejects.toThrow();
  });
});
