import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Aedes, PublishPacket } from 'aedes';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '@forecourt/gateway';
import { KioskSession, topics } from '@forecourt/gateway/protocol';
import { MemberError, encodeCard } from '../../../gateway/src/domain/members/index.js';
import { KioskCheckIn } from '../../../gateway/src/extensions/kiosk-check-in.js';
import { MemberDirectory } from '../../../gateway/src/extensions/member-directory.js';
import { memberExtensions } from '../../../gateway/src/extensions/member-extensions.js';
import { MemberTaps } from '../../../gateway/src/extensions/member-taps.js';
import { QueueService } from '../../../gateway/src/extensions/queue-service.js';
import { GroupCommit } from '../../../gateway/src/store/group-commit.js';
import type { Extension, ExtensionContext } from '../../../gateway/src/extensions/extension.js';
import { Identity } from '../../../gateway/src/identity/identity.js';
import { GatewayMetrics } from '../../../gateway/src/observability/metrics.js';
import { openDatabase, type Db } from '../../../gateway/src/store/database.js';
import { SqliteMemberStore } from '../../../gateway/src/store/member-store.js';
import { KIOSK_READER, TEST_CARD_KEY, TEST_CARD_KEY_BYTES, testMember } from '../../support/members.js';

// Check-in on a real SQLite file, with a broker under load: each publish is acknowledged 5 ms
// later, so announcing a ticket yields to other requests. A check-in that issued the ticket, then
// awaited the announcement, then marked the appointment, gave every tap in that window a ticket.

const KIOSK = { actor: { actor: 'kiosk:kiosk-screen-1', role: 'kiosk', via: 'kiosk-screen-1' }, stations: [KIOSK_READER.station] };

describe('checking an appointment in', () => {
  let dir: string;
  let db: Db;
  let published: PublishPacket[];
  let queue: QueueService;
  let extensions: Extension[];
  let taps: MemberTaps;
  let checkIn: KioskCheckIn;
  let outputs: GroupCommit;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'forecourt-check-in-'));
    db = openDatabase(dir);
    const { config } = loadConfig(['--data-dir', dir], {}, dir);
    config.devices.readers = [{ ...KIOSK_READER, agent: 'remote' }];
    config.members.cardKeys = [TEST_CARD_KEY];
    const log = pino({ level: 'silent' });
    const now = () => new Date();
    published = [];
    const slowBroker = {
      publish: (packet: PublishPacket, done: (err?: Error) => void) => {
        published.push(packet);
        setTimeout(() => done(), 5);
      },
      subscribe: (_topic: string, _fn: unknown, done: () => void) => done(),
      unsubscribe: (_topic: string, _fn: unknown, done: () => void) => done(),
    } as unknown as Aedes;
    const identity = new Identity(db, { storeId: config.store.id, demo: false, idleTimeoutS: { desk: 600, bay: 120 }, pairingMinutes: 10 }, now, log);
    const metrics = new GatewayMetrics({ connectedClients: () => 0, databaseBytes: () => 0 });
    outputs = new GroupCommit({ db, onFailure: (err) => { throw err; } });
    const ctx: ExtensionContext = { config, broker: slowBroker, db, outputs, log, metrics, mqttPort: () => 0, now, identity };
    new SqliteMemberStore(db).upsertMembers([
      testMember({ appointments: [{ id: 'appt-421', vehicleId: 421, at: now().toISOString(), service: 'maintenance', status: 'booked', note: null }] }),
    ]);
    queue = new QueueService(ctx);
    const members = new MemberDirectory(ctx, false);
    extensions = memberExtensions(ctx, queue, false, members);
    taps = extensions.find((e): e is MemberTaps => e instanceof MemberTaps)!;
    checkIn = new KioskCheckIn(ctx, members, queue);
    await queue.start();
    for (const e of extensions) await e.start();
  });
  afterEach(async () => {
    for (const e of extensions.toReversed()) await e.stop();
    await queue.stop();
    await outputs.stop();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function greet(): Promise<string> {
    const uid = '04a1b2c3d4e5f6';
    const data = encodeCard(Buffer.from(uid, 'hex'), { memberId: 42, vehicleId: 421 }, TEST_CARD_KEY_BYTES).toString('hex');
    await taps.handleTap({ ...KIOSK_READER, agent: 'remote' }, { kind: 'ntag', uid, data, at: new Date().toISOString() });
    const packet = published.findLast((p) => p.topic === topics.kioskSession('demo', KIOSK_READER.station));
    const greeting = KioskSession.parse(JSON.parse(String(packet?.payload)));
    if (greeting.result !== 'greeting') throw new Error(`expected a greeting, got ${greeting.result}`);
    return greeting.sessionId;
  }

  /** As the check-in route does it: commit, then announce. */
  const tapCheckIn = async (session: string) => checkIn.announce(checkIn.checkInFor(session, KIOSK));

  it('gives one ticket to taps that come while the first ticket is being announced', async () => {
    const session = await greet();
    const attempts = await Promise.allSettled([tapCheckIn(session), tapCheckIn(session), tapCheckIn(session)]);

    expect(attempts.filter((t) => t.status === 'fulfilled')).toHaveLength(1);
    for (const refused of attempts.filter((t) => t.status === 'rejected')) {
      expect(refused.reason).toBeInstanceOf(MemberError);
      expect((refused.reason as MemberError).code).toBe('no-appointment');
    }
    expect(db.prepare('SELECT count(*) FROM queue_ticket').pluck().get()).toBe(1);
    expect(db.prepare("SELECT status FROM appointment WHERE id = 'appt-421'").pluck().get()).toBe('checked-in');
    expect(db.prepare('SELECT count(*) FROM member_visit').pluck().get()).toBe(1);
  });

  it('leaves the appointment booked when its ticket is refused', async () => {
    const session = await greet();
    db.prepare("UPDATE appointment SET service = 'no-such-service' WHERE id = 'appt-421'").run();
    await expect(tapCheckIn(session)).rejects.toMatchObject({ code: 'unknown-service' });
    expect(db.prepare("SELECT status FROM appointment WHERE id = 'appt-421'").pluck().get()).toBe('booked');
    expect(db.prepare('SELECT count(*) FROM queue_ticket').pluck().get()).toBe(0);
  });
});
