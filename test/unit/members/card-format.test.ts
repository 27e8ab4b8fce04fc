import { describe, expect, it } from 'vitest';
import { CARD_BYTES, encodeCard, verifyCard, type CardKey } from '../../../gateway/src/domain/members/card-format.js';

const key: CardKey = { id: 3, secret: Buffer.from('k'.repeat(40)) };
const rotated: CardKey = { id: 4, secret: Buffer.from('n'.repeat(40)) };
const keys = (id: number) => [key, rotated].find((k) => k.id === id);
const uid = Buffer.from('04a1b2c3d4e5f6', 'hex');

describe('member card format', () => {
  it('round-trips member and vehicle numbers in 16 bytes, bound to the UID', () => {
    const data = encodeCard(uid, { memberId: 4_000_000_000, vehicleId: 12 }, key);
    expect(data).toHaveLength(CARD_BYTES);
    expect(data[0]).toBe(0xf1);
    expect(data[1]).toBe(3);
    expect(verifyCard(uid, data, keys)).toEqual({ ok: true, keyId: 3, memberId: 4_000_000_000, vehicleId: 12 });
  });

  it('refuses the same bytes on another UID (a copy onto an ordinary blank)', () => {
    const data = encodeCard(uid, { memberId: 1, vehicleId: 2 }, key);
    expect(verifyCard(Buffer.from('04000000000001', 'hex'), data, keys)).toEqual({ ok: false, reason: 'bad-mac', keyId: 3 });
  });

  it('refuses any changed byte: member, vehicle, key id or MAC', () => {
    const data = encodeCard(uid, { memberId: 1, vehicleId: 2 }, key);
    for (let i = 2; i < CARD_BYTES; i++) {
      const changed = Buffer.from(data);
      changed[i] = changed[i]! ^ 0x01;
      expect(verifyCard(uid, changed, keys).ok, `byte ${i}`).toBe(false);
    }
  });

  it('keeps cards of an older key valid after rotation, and knows unknown keys and foreign cards apart', () => {
    const old = encodeCard(uid, { memberId: 1, vehicleId: 2 }, key);
    const fresh = encodeCard(uid, { memberId: 1, vehicleId: 2 }, rotated);
    expect(verifyCard(uid, old, keys).ok).toBe(true);
    expect(verifyCard(uid, fresh, keys)).toMatchObject({ ok: true, keyId: 4 });
    expect(verifyCard(uid, old, (id) => (id === 4 ? rotated : undefined))).toEqual({ ok: false, reason: 'unknown-key', keyId: 3 });
    expect(verifyCard(uid, Buffer.alloc(16), keys)).toEqual({ ok: false, reason: 'foreign' });
    expect(verifyCard(uid, Buffer.alloc(4), keys)).toEqual({ ok: false, reason: 'foreign' });
  });

  it('rejects identities the format cannot hold', () => {
    expect(() => encodeCard(uid, { memberId: 0, vehicleId: 1 }, key)).toThrow(RangeError);
    expect(() => encodeCard(uid, { memberId: 2 ** 32, vehicleId: 1 }, key)).toThrow(RangeError);
    expect(() => encodeCard(Buffer.alloc(3), { memberId: 1, vehicleId: 1 }, key)).toThrow(RangeError);
  });
});
