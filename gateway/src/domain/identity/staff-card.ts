import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { CARD_BYTES, CARD_FORMAT_1, type CardKey } from '../members/card-format.js';

/**
 * What a Forecourt staff card holds: 16 bytes in NTAG user pages 4–7, like a member card, but a
 * record of its own kind under a key of its own.
 *
 *   byte 0      0xF2: staff record, format 1 (a member card has 0xF1 here)
 *   byte 1      key id: the member-card key the staff key was derived from
 *   bytes 2–5   card serial, unsigned 32-bit big-endian (the store's staff_card row)
 *   bytes 6–9   version: the staff member's n-th card (a newer one supersedes it)
 *   bytes 10–15 MAC: HMAC-SHA256(staff key, "forecourt/staff-card/1" ‖ len(UID) ‖ UID ‖ bytes 0–9), first 6 bytes
 *
 * The staff key is HKDF(member-card key, salt = the store id, info "forecourt/staff-card-key/1"):
 * domain separation, so a member card can never pass as a staff card nor the other way round, and
 * a staff card of one store is nothing at another. The row in SQLite, not the card, decides whether
 * the card is still good (revoked, superseded): the MAC only proves the gateway wrote it on this UID.
 */
export const STAFF_CARD_FORMAT_1 = 0xf2;
const MAC_BYTES = 6;
const SIGNED_BYTES = CARD_BYTES - MAC_BYTES;
const MAC_DOMAIN = Buffer.from('forecourt/staff-card/1', 'ascii');
const KEY_INFO = 'forecourt/staff-card-key/1';
const MAX_U32 = 0xffff_ffff;

export interface StaffCardRecord {
  serial: number;
  version: number;
}

export type StaffCardCheck =
  | ({ ok: true; keyId: number } & StaffCardRecord)
  /** `member-card`: a member card's record (never a staff card, whatever its MAC). */
  | { ok: false; reason: 'member-card' | 'foreign' }
  | { ok: false; reason: 'unknown-key'; keyId: number }
  /** Our record and key, but the MAC does not match this UID: a copy or a forgery. */
  | { ok: false; reason: 'bad-mac'; keyId: number };

/** The staff-card key of a store, derived from a member-card key (same id). */
export function staffCardKey(memberKey: CardKey, storeId: string): CardKey {
  const secret = Buffer.from(hkdfSync('sha256', memberKey.secret, Buffer.from(`forecourt/${storeId}`, 'utf8'), KEY_INFO, 32));
  return { id: memberKey.id, secret };
}

function mac(key: CardKey, uid: Buffer, signed: Buffer): Buffer {
  return createHmac('sha256', key.secret).update(MAC_DOMAIN).update(Buffer.from([uid.length])).update(uid).update(signed).digest().subarray(0, MAC_BYTES);
}

/** The 16 bytes to write on the staff card whose chip has `uid`; `key` is a staff-card key. */
export function encodeStaffCard(uid: Buffer, record: StaffCardRecord, key: CardKey): Buffer {
  if (uid.length < 4 || uid.length > 10) throw new RangeError(`a card UID has 4 to 10 bytes, got ${uid.length}`);
  for (const [name, value] of Object.entries(record)) {
    if (!Number.isInteger(value) || value < 1 || value > MAX_U32) throw new RangeError(`${name} must be an integer 1..${MAX_U32}`);
  }
  if (!Number.isInteger(key.id) || key.id < 0 || key.id > 255) throw new RangeError('key id must be 0..255');
  const data = Buffer.alloc(CARD_BYTES);
  data[0] = STAFF_CARD_FORMAT_1;
  data[1] = key.id;
  data.writeUInt32BE(record.serial, 2);
  data.writeUInt32BE(record.version, 6);
  mac(key, uid, data.subarray(0, SIGNED_BYTES)).copy(data, SIGNED_BYTES);
  return data;
}

/** Checks what was read from a card against its UID; `keys` finds a staff-card key by id. */
export function verifyStaffCard(uid: Buffer, data: Buffer, keys: (id: number) => CardKey | undefined): StaffCardCheck {
  if (data.length < CARD_BYTES) return { ok: false, reason: 'foreign' };
  if (data[0] === CARD_FORMAT_1) return { ok: false, reason: 'member-card' };
  if (data[0] !== STAFF_CARD_FORMAT_1) return { ok: false, reason: 'foreign' };
  const keyId = data[1]!;
  const key = keys(keyId);
  if (!key) return { ok: false, reason: 'unknown-key', keyId };
  const expected = mac(key, uid, data.subarray(0, SIGNED_BYTES));
  if (!timingSafeEqual(expected, data.subarray(SIGNED_BYTES, CARD_BYTES))) return { ok: false, reason: 'bad-mac', keyId };
  const serial = data.readUInt32BE(2);
  const version = data.readUInt32BE(6);
  if (serial === 0 || version === 0) return { ok: false, reason: 'foreign' };
  return { ok: true, keyId, serial, version };
}

/** Whether 16 bytes read from a card carry a staff record (not a proof: see verifyStaffCard). */
export function looksLikeStaffCard(data: Buffer): boolean {
  return data.length >= CARD_BYTES && data[0] === STAFF_CARD_FORMAT_1;
}
