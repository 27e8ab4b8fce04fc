import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeCard, recogniseTap, type MemberRecord } from '../../../gateway/src/domain/members/index.js';
import { demoMember } from '../../../gateway/src/demo/demo-members.js';
import { openDatabase, type Db } from '../../../gateway/src/store/database.js';
import { SqliteMemberStore } from '../../../gateway/src/store/member-store.js';

const now = new Date('2025-05-17T02:00:00Z');
const key = { id: 1, secret: Buffer.from('s'.repeat(40)) };
const keys = (id: number) => (id === 1 ? key : undefined);

describe('SQLite member store', () => {
  let dir: string;
  let db: Db;
  let store: SqliteMemberStore;
  const alice: MemberRecord = { ...demoMember(5, now, 'Asia/Shanghai'), name: '王小明', phone: '13800000000' };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'forecourt-members-unit-'));
    db = openDatabase(dir);
    store = new SqliteMemberStore(db);
    store.upsertMembers([alice, demoMember(6, now, 'Asia/Shanghai')]);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps whole member records and finds them by vehicle, plate, phone and name', () => {
    expect(store.member(5)).toEqual(alice);
    expect(store.byVehicle(alice.vehicles[0]!.id)?.member.name).toBe('王小明');
    expect(store.byVehicle(999)).toBeUndefined();
    expect(store.search(alice.vehicles[0]!.plate, 5)[0]?.id).toBe(5);
    expect(store.search('13800000000', 5).map((m) => m.id)).toEqual([5]);
    expect(store.search('小明', 5).map((m) => m.id)).toContain(5);
    expect(store.search('%', 5)).toEqual([]);
    expect(store.count()).toBe(2);
  });

  it('refuses an invalid DMS record and changes nothing', () => {
    const bad = { ...alice, name: '改名', vehicles: [{ ...alice.vehicles[0]!, vin: 'short' }] };
    expect(() => store.upsertMembers([bad])).toThrow();
    expect(store.member(5)?.name).toBe('王小明');
  });

  it('replaces vehicles and appointments the DMS no longer lists', () => {
    store.upsertMembers([{ ...alice, vehicles: alice.vehicles.slice(0, 1), appointments: [] }]);
    expect(store.member(5)?.appointments).toEqual([]);
  });

  it('checks an appointment in once', () => {
    const withAppointment = { ...alice, appointments: [{ id: 'a1', vehicleId: alice.vehicles[0]!.id, at: now.toISOString(), service: 'maintenance', status: 'booked' as const, note: null }] };
    store.upsertMembers([withAppointment]);
    expect(store.checkIn('a1', '2026-12-01/A001', now.toISOString())?.status).toBe('checked-in');
    expect(store.checkIn('a1', '2026-12-01/A002', now.toISOString())).toBeUndefined();
    // Head office hears of it once, with the DMS's ids and the ticket by day and number.
    const events = db.prepare("SELECT type, data FROM outbox WHERE type = 'appointment.checked-in'").all() as { type: string; data: string }[];
    expect(events.map((e) => JSON.parse(e.data) as unknown)).toEqual([{ appointmentId: 'a1', customerId: 5, vehicleId: alice.vehicles[0]!.id, ticket: '2026-12-01/A001' }]);
  });

  it('a DMS update keeps a check-in made at the store (the store owns what happened here)', () => {
    const booked = { id: 'a2', vehicleId: alice.vehicles[0]!.id, at: now.toISOString(), service: 'maintenance', status: 'booked' as const, note: null };
    store.upsertMembers([{ ...alice, appointments: [booked] }]);
    store.checkIn('a2', '2026-12-01/A001', now.toISOString());
    store.upsertMembers([{ ...alice, appointments: [{ ...booked, note: 'bring the spare key' }] }]);
    expect(store.member(5)?.appointments).toEqual([{ ...booked, status: 'checked-in', note: 'bring the spare key' }]);
    store.upsertMembers([{ ...alice, appointments: [{ ...booked, status: 'cancelled' }] }]);
    expect(store.member(5)?.appointments[0]?.status).toBe('cancelled');
  });

  it('a new card for a vehicle revokes its earlier card, which is then refused at a tap', () => {
    const vehicleId = alice.vehicles[0]!.id;
    const card = (uid: string) => ({ uid, memberId: 5, vehicleId, keyId: 1, issuedAt: now.toISOString(), issuedBy: 'desk-1', revokedAt: null });
    store.recordCard(card('04000000000001'));
    store.recordCard(card('04000000000002'));
    expect(store.card('04000000000001')?.revokedAt).not.toBeNull();
    expect(store.cardsOfMember(5).filter((c) => !c.revokedAt).map((c) => c.uid)).toEqual(['04000000000002']);

    const tapOf = (uid: string) => ({ kind: 'ntag' as const, uid, data: encodeCard(Buffer.from(uid, 'hex'), { memberId: 5, vehicleId }, key).toString('hex'), at: now.toISOString() });
    expect(recogniseTap(tapOf('04000000000001'), keys, store)).toMatchObject({ kind: 'refused', refusal: 'revoked' });
    expect(recogniseTap(tapOf('04000000000002'), keys, store)).toMatchObject({ kind: 'member', vehicle: { id: vehicleId } });
    expect(recogniseTap({ ...tapOf('04000000000003'), data: encodeCard(Buffer.from('04000000000003', 'hex'), { memberId: 6, vehicleId }, key).toString('hex') }, keys, store)).toMatchObject({ refusal: 'unknown-member' });
    expect(recogniseTap({ kind: 'iso14443-4', at: now.toISOString() }, keys, store)).toMatchObject({ refusal: 'not-member-card' });
    expect(recogniseTap({ kind: 'unreadable', at: now.toISOString() }, keys, store)).toMatchObject({ refusal: 'unreadable' });
  });

  it('keeps visits newest first, once per ticket', () => {
    const visit = { ticketId: 't1', ticketNumber: 'A001', service: 'maintenance', memberId: 5, vehicleId: alice.vehicles[0]!.id, at: '2025-05-17T02:00:00.000Z', via: 'kiosk' as const, desk: null };
    store.recordVisit(visit);
    store.recordVisit(visit);
    store.recordVisit({ ...visit, ticketId: 't2', ticketNumber: 'B001', at: '2025-05-17T03:00:00.000Z', via: 'desk', desk: '1' });
    expect(store.visits(5, 10).map((v) => v.ticketNumber)).toEqual(['B001', 'A001']);
  });
});
