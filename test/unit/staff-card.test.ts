import { describe, expect, it } from 'vitest';
import { encodeStaffCard, recogniseStaffTap, staffCardKey, verifyStaffCard, type StaffCardRow } from '../../gateway/src/domain/identity/index.js';
import { encodeCard, recogniseTap, verifyCard } from '../../gateway/src/domain/members/index.js';
import type { MemberStore } from '../../gateway/src/domain/members/index.js';

const MEMBER_KEY = { id: 3, secret: Buffer.from('00112233445566778899aabbccddeeff', 'hex') };
const STAFF_KEY = staffCardKey(MEMBER_KEY, 'store-a');
const UID = Buffer.from('04a1b2c3d4e5f6', 'hex');
const at = '2026-12-01T09:00:00.000Z';

const row = (over: Partial<StaffCardRow> = {}): StaffCardRow => ({
  serial: 12,
  uid: UID.toString('hex'),
  version: 2,
  staffId: 'staff-1',
  issuedAt: at,
  revokedAt: null,
  revokedWhy: null,
  staffDisabled: false,
  ...over,
});

function tapOf(data: Buffer, uid = UID) {
  return { kind: 'ntag' as const, uid: uid.toString('hex'), data: data.toString('hex'), at };
}

describe('staff card format', () => {
  it('round-trips serial and version under the MAC over the UID', () => {
    const data = encodeStaffCard(UID, { serial: 12, version: 2 }, STAFF_KEY);
    expect(data[0]).toBe(0xf2);
    expect(verifyStaffCard(UID, data, (id) => (id === 3 ? STAFF_KEY : undefined))).toEqual({ ok: true, keyId: 3, serial: 12, version: 2 });
  });

  it('keeps member and staff cards apart: neither passes as the other, whatever the key', () => {
    const member = encodeCard(UID, { memberId: 12, vehicleId: 2 }, MEMBER_KEY);
    expect(verifyStaffCard(UID, member, () => STAFF_KEY)).toEqual({ ok: false, reason: 'member-card' });
    expect(verifyStaffCard(UID, member, () => MEMBER_KEY)).toEqual({ ok: false, reason: 'member-card' });
    const staff = encodeStaffCard(UID, { serial: 12, version: 2 }, STAFF_KEY);
    expect(verifyCard(UID, staff, () => MEMBER_KEY)).toEqual({ ok: false, reason: 'foreign' });
    // Even a staff record signed with the member key itself (no derivation) is refused.
    const underMemberKey = encodeStaffCard(UID, { serial: 12, version: 2 }, MEMBER_KEY);
    expect(verifyStaffCard(UID, underMemberKey, () => STAFF_KEY)).toMatchObject({ ok: false, reason: 'bad-mac' });
    // At the kiosk a staff card asks for the member card; it greets nobody.
    const store = { card: () => undefined, byVehicle: () => undefined } as unknown as MemberStore;
    expect(recogniseTap(tapOf(staff), () => MEMBER_KEY, store)).toMatchObject({ kind: 'refused', refusal: 'not-member-card' });
  });

  it('derives a different key per store and per member key', () => {
    expect(staffCardKey(MEMBER_KEY, 'store-b').secret.equals(STAFF_KEY.secret)).toBe(false);
    expect(STAFF_KEY.secret.equals(MEMBER_KEY.secret)).toBe(false);
    const atOtherStore = encodeStaffCard(UID, { serial: 12, version: 2 }, staffCardKey(MEMBER_KEY, 'store-b'));
    expect(verifyStaffCard(UID, atOtherStore, () => STAFF_KEY)).toMatchObject({ ok: false, reason: 'bad-mac' });
  });
});

describe('recognising a staff card at sign-in', () => {
  const keys = (id: number) => (id === 3 ? STAFF_KEY : undefined);
  const good = encodeStaffCard(UID, { serial: 12, version: 2 }, STAFF_KEY);

  it('signs in the holder of a written, current card', () => {
    expect(recogniseStaffTap(tapOf(good), keys, () => row())).toMatchObject({ kind: 'staff', card: { serial: 12, staffId: 'staff-1' } });
  });

  it.each([
    ['a member card', tapOf(encodeCard(UID, { memberId: 1, vehicleId: 2 }, MEMBER_KEY)), () => row(), 'member-card'],
    ['a blank card', tapOf(Buffer.alloc(16)), () => row(), 'not-staff-card'],
    ['a phone', { kind: 'iso14443-4' as const, at }, () => row(), 'not-staff-card'],
    ['a read taken away too early', { kind: 'unreadable' as const, at }, () => row(), 'unreadable'],
    ['a copy on another UID', tapOf(good, Buffer.from('04999999999999', 'hex')), () => row(), 'not-genuine'],
    ['an altered serial', tapOf(Buffer.from(good.toString('hex').replace(/^f2030000000c/, 'f2030000000d'), 'hex')), () => row(), 'not-genuine'],
    ['a card whose write was never confirmed', tapOf(good), () => row({ issuedAt: null }), 'not-genuine'],
    ['a row for another version', tapOf(good), () => row({ version: 3 }), 'not-genuine'],
    ['a revoked card', tapOf(good), () => row({ revokedAt: at, revokedWhy: 'revoked' }), 'revoked'],
    ['a superseded card', tapOf(good), () => row({ revokedAt: at, revokedWhy: 'superseded' }), 'superseded'],
    ['a disabled account', tapOf(good), () => row({ staffDisabled: true }), 'staff-disabled'],
  ])('refuses %s', (_name, tap, lookup, refusal) => {
    expect(recogniseStaffTap(tap, keys, lookup)).toMatchObject({ kind: 'refused', refusal });
  });

  it('calls a wrong MAC under a known key a possible clone', () => {
    const forged = Buffer.from(good);
    forged[15] = forged[15]! ^ 0xff;
    expect(recogniseStaffTap(tapOf(forged), keys, () => row())).toMatchObject({ kind: 'refused', refusal: 'not-genuine', possibleClone: true });
  });
});
