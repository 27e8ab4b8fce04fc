import { createHash } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '@forecourt/gateway';
import { KioskSession, topics, type CardTap } from '@forecourt/gateway/protocol';
import { demoMember, demoMembers } from '../../gateway/src/demo/demo-members.js';
import { encodeCard, type MemberRecord } from '../../gateway/src/domain/members/index.js';
import type { DmsSimulator } from '../../gateway/src/tools/dms-simulator/index.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { drained, metric, relayStatus, relayTo, startDms } from '../support/head-office.js';
import { bearer, deviceLogin, deviceToken } from '../support/identities.js';
import { KIOSK_READER, TEST_CARD_KEY, TEST_CARD_KEY_BYTES } from '../support/members.js';
import { connectClient, nextMessage } from '../support/mqtt.js';
import { waitFor } from '../support/process.js';

// The DMS → store direction: the sync pulls members, vehicles and appointments by cursor from
// the DMS simulator and applies them to the store's SQLite copy (real gateway, real SQLite).

const TIME_ZONE = 'Asia/Shanghai';

/** What the store holds of the DMS's data: row counts and a digest of every row. */
function localCopy(gw: TestGateway): { members: number; vehicles: number; appointments: number; digest: string; memberIds: (ids: number[]) => number[] } {
  const db = openDatabase(gw.dataDir);
  try {
    const count = (table: string) => db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number;
    const digest = createHash('sha256');
    for (const table of ['member', 'vehicle', 'appointment']) digest.update(JSON.stringify(db.prepare(`SELECT * FROM ${table} ORDER BY id`).raw().all()));
    const present = new Set(db.prepare('SELECT id FROM member').pluck().all() as number[]);
    return { members: count('member'), vehicles: count('vehicle'), appointments: count('appointment'), digest: digest.digest('hex'), memberIds: (ids) => ids.filter((id) => present.has(id)) };
  } finally {
    db.close();
  }
}

/** Waits until the sync has read the whole feed (its cursor is the feed's end). */
async function synced(gw: TestGateway, dms: DmsSimulator, timeoutMs = 60_000) {
  return waitFor(
    async () => {
      const { sync } = await relayStatus(gw);
      return sync?.cursor === String(dms.changes.size) ? sync : undefined;
    },
    timeoutMs,
    100,
  );
}

describe('members from the DMS', () => {
  const COUNT = 50_000;
  const BAD_AT = 25_500;
  let dms: DmsSimulator;
  let gw: TestGateway;
  // Every member as the DMS has them; every hundredth with today's appointment (500 in all).
  const members = demoMembers(1, COUNT, new Date(), TIME_ZONE).map((m) => ({ ...m, appointments: m.id % 100 === 0 ? m.appointments : [] }));
  const vehicles = members.reduce((n, m) => n + m.vehicles.length, 0);
  const bad = { kind: 'member', member: { ...demoMember(COUNT + 1, new Date(), TIME_ZONE), vehicles: [{ ...demoMember(COUNT + 1, new Date(), TIME_ZONE).vehicles[0]!, vin: 'NOT-A-VIN' }] } };

  beforeAll(async () => {
    dms = await startDms();
    gw = await startTestGateway({ configure: relayTo(dms, { syncEverySeconds: 1 }) });
  });
  afterAll(async () => {
    await gw?.dispose();
    await dms?.close();
  });

  it('applies 50,000 members and 500 appointments, refusing one bad record alone, and applies them again without change', async () => {
    dms.changes.addMembers(members.slice(0, BAD_AT));
    dms.changes.add([bad]);
    dms.changes.addMembers(members.slice(BAD_AT));
    const first = await synced(gw, dms);

    const copy = localCopy(gw);
    expect(copy).toMatchObject({ members: COUNT, vehicles, appointments: 500 });
    // The bad record's page neighbours applied; it did not.
    expect(copy.memberIds([BAD_AT, BAD_AT + 1, COUNT + 1])).toEqual([BAD_AT, BAD_AT + 1]);
    expect(first).toMatchObject({ applied: COUNT, rejected: 1, lastError: null });
    expect(await metric(gw, 'forecourt_dms_sync_rejected_total')).toBe(1);
    expect(await metric(gw, 'forecourt_dms_sync_applied_total')).toBe(COUNT);

    // The DMS sends everyone again: the same copy, no duplicates.
    dms.changes.addMembers(members);
    const second = await synced(gw, dms);
    expect(second).toMatchObject({ applied: 2 * COUNT, rejected: 1 });
    const again = localCopy(gw);
    expect(again).toMatchObject({ members: COUNT, vehicles, appointments: 500 });
    expect(again.digest).toBe(copy.digest);
  }, 120_000);
});

describe('a check-in made in the store', () => {
  let dms: DmsSimulator;
  let gw: TestGateway;
  let reader: MqttClient;
  let screen: MqttClient;
  let kiosk: Record<string, string>;
  const now = new Date();
  const member: MemberRecord = {
    ...demoMember(77, now, TIME_ZONE),
    id: 77,
    points: 100,
    appointments: [{ id: 'dms-appt-77', vehicleId: demoMember(77, now, TIME_ZONE).vehicles[0]!.id, at: now.toISOString(), service: 'maintenance', status: 'booked', note: null }],
  };
  const vehicleId = member.vehicles[0]!.id;

  beforeAll(async () => {
    dms = await startDms();
    dms.changes.addMembers([member]);
    gw = await startTestGateway({
      configure: (config) => {
        relayTo(dms, { syncEverySeconds: 1 })(config);
        config.store.timeZone = TIME_ZONE;
        config.members.cardKeys = [TEST_CARD_KEY];
        config.devices.readers = [{ ...KIOSK_READER, agent: 'remote' }];
      },
    });
    await synced(gw, dms);
    reader = await connectClient(gw.mqttUrl, deviceLogin(gw.gateway, KIOSK_READER.id, 'nfc-reader', KIOSK_READER.station));
    const screenToken = deviceToken(gw.gateway, 'kiosk-screen-1', 'kiosk', KIOSK_READER.station);
    kiosk = bearer(screenToken);
    screen = await connectClient(gw.mqttUrl, { clientId: 'kiosk-screen-1', username: 'kiosk-screen-1', password: screenToken });
  });
  afterAll(async () => {
    await reader?.endAsync();
    await screen?.endAsync();
    await gw?.dispose();
    await dms?.close();
  });

  function appointmentStatus(): string | undefined {
    const db = openDatabase(gw.dataDir);
    try {
      return db.prepare('SELECT status FROM appointment WHERE id = ?').pluck().get('dms-appt-77') as string | undefined;
    } finally {
      db.close();
    }
  }

  it('stays checked in when the DMS sends the appointment again as booked, while the DMS\'s other changes apply', async () => {
    const uid = '04c1d2e3f4a5b6';
    const tap: CardTap = { kind: 'ntag', uid, data: encodeCard(Buffer.from(uid, 'hex'), { memberId: member.id, vehicleId }, TEST_CARD_KEY_BYTES).toString('hex'), at: new Date().toISOString() };
    const greeting = nextMessage(screen, topics.kioskSession(gw.config.store.id, KIOSK_READER.station));
    await reader.publishAsync(topics.deviceTap(gw.config.store.id, KIOSK_READER.id), JSON.stringify(tap), { qos: 1 });
    const session = KioskSession.parse(JSON.parse((await greeting).payload.toString()));
    if (session.result !== 'greeting') throw new Error(`expected a greeting, got ${session.result}`);
    expect(session.appointment).toMatchObject({ checkedIn: false });
    const checkIn = await fetch(`${gw.httpUrl}/api/members/sessions/${session.sessionId}/check-in`, { method: 'POST', headers: { ...kiosk, 'content-type': 'application/json' }, body: '{}' });
    expect(checkIn.status).toBe(200);
    expect(appointmentStatus()).toBe('checked-in');

    // The DMS has not heard of the check-in yet and sends the member again: points changed, the booking as it was.
    dms.changes.addMembers([{ ...member, points: 250 }]);
    await synced(gw, dms);
    expect(appointmentStatus()).toBe('checked-in');
    const db = openDatabase(gw.dataDir);
    try {
      expect(db.prepare('SELECT points FROM member WHERE id = ?').pluck().get(member.id)).toBe(250);
    } finally {
      db.close();
    }

    // And head office hears of the check-in from the store.
    await drained(gw);
    const checkedIn = dms.received(gw.config.store.id).filter((e) => e.type === 'appointment.checked-in');
    expect(checkedIn.map((e) => e.data)).toEqual([expect.objectContaining({ appointmentId: 'dms-appt-77', customerId: member.id, vehicleId })]);
  }, 30_000);
});

describe('repair orders booked in the DMS', () => {
  let dms: DmsSimulator;
  let gw: TestGateway;
  const now = new Date();
  const member: MemberRecord = { ...demoMember(88, now, TIME_ZONE), id: 88, appointments: [] };
  const vehicle = member.vehicles[0]!;
  const tomorrow = new Date(now.getTime() + 86_400_000).toISOString();
  const booking = (dmsId: string, plate: string, extra: Record<string, unknown> = {}) => ({
    kind: 'repair-order',
    order: { dmsId, plate, model: vehicle.model, customerId: member.id, vehicleId: vehicle.id, advisor: '王芳', appointmentAt: tomorrow, jobs: [{ title: '保养 Service' }], ...extra },
  });

  beforeAll(async () => {
    dms = await startDms();
    gw = await startTestGateway({ configure: relayTo(dms, { syncEverySeconds: 1 }) });
  });
  afterAll(async () => {
    await gw?.dispose();
    await dms?.close();
  });

  /** The store's orders with their DMS id, from the database. */
  function bookedOrders(): { plate: string; stage: string; customerRef: string | null; dmsId: string }[] {
    const db = openDatabase(gw.dataDir);
    try {
      return db
        .prepare(
          `SELECT o.plate, o.stage, json_extract(o.data, '$.customerRef') AS customerRef, substr(m.key, 11) AS dmsId
           FROM workshop_order o JOIN meta m ON m.value = o.id AND m.key LIKE 'dms-order:%' ORDER BY dmsId`,
        )
        .all() as { plate: string; stage: string; customerRef: string | null; dmsId: string }[];
    } finally {
      db.close();
    }
  }

  it('books each DMS order once through the desk\'s own command, refusing a bad one alone, and tells head office', async () => {
    dms.changes.addMembers([member]);
    dms.changes.add([booking('ro-1', vehicle.plate), booking('ro-bad', '粤B·12345', { appointmentAt: 'tomorrow morning' }), booking('ro-2', '粤B·D5678')]);
    const first = await synced(gw, dms);
    expect(first).toMatchObject({ rejected: 1 });
    const orders = bookedOrders();
    expect(orders).toEqual([
      { plate: expect.any(String) as string, stage: 'appointment', customerRef: `member:${member.id}/vehicle:${vehicle.id}`, dmsId: 'ro-1' },
      { plate: expect.any(String) as string, stage: 'appointment', customerRef: `member:${member.id}/vehicle:${vehicle.id}`, dmsId: 'ro-2' },
    ]);

    // The DMS sends the same bookings again (a re-sent page, or its own retry): nothing new.
    dms.changes.add([booking('ro-1', vehicle.plate), booking('ro-2', '粤B·D5678')]);
    // Known by their DMS id: not booked again, and not refused as a second open order of the car either.
    expect(await synced(gw, dms)).toMatchObject({ rejected: 1 });
    expect(bookedOrders()).toHaveLength(2);

    // Head office hears of the bookings as the store's repair-order events, by the DMS's actor.
    await drained(gw);
    const booked = dms.received(gw.config.store.id).filter((e) => e.type === 'order.booked');
    expect(booked).toHaveLength(2);
    expect(booked.every((e) => (e.data as { by: string }).by === 'dms')).toBe(true);
  }, 30_000);
});
