import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * What a Forecourt member card holds: 16 bytes in NTAG user pages 4–7, read with one APDU.
 *
 *   byte 0      0xF1: format 1 (a blank or foreign card has anything else here)
 *   byte 1      key id (1–255; 0 is the public demo key)
 *   bytes 2–5   member number, unsigned 32-bit big-endian (the DMS's member id)
 *   bytes 6–9   vehicle number, unsigned 32-bit big-endian (一車一卡: the card is the vehicle's)
 *   bytes 10–15 MAC: HMAC-SHA256(key, "forecourt/card/1" ‖ len(UID) ‖ UID ‖ bytes 0–9), first 6 bytes
 *
 * The MAC binds the content to the chip's UID, so copying the memory onto an ordinary blank (which
 * has its own, factory-fixed UID) fails verification, and nobody without the key can make a card
 * for another member. 48 bits are enough because the MAC is only ever checked online by the
 * gateway: a forger gets one guess per physical tap (each refusal is logged and counted), so about
 * 2^47 taps on average. What it cannot stop — "magic" blanks whose UID can be written, loaded with
 * a full copy of a genuine card — is described in README "Member cards".
 */
export const CARD_FIRST_PAGE = 4;
export const CARD_BYTES = 16;
export const CARD_FORMAT_1 = 0xf1;
const MAC_BYTES = 6;
const SIGNED_BYTES = CARD_BYTES - MAC_BYTES;
const DOMAIN = Buffer.from('forecourt/card/1', 'ascii');
const MAX_ID = 0xffff_ffff;

export interface CardKey {
  /** 1–255 in configuration; 0 is reserved for the demo key. */
  id: number;
  secret: Buffer;
}

export interface CardIdentity {
  memberId: number;
  vehicleId: number;
}

export type CardCheck =
  | ({ ok: true; keyId: number } & CardIdentity)
  /** `foreign`: not a Forecourt card (blank, another system's, unknown format). */
  | { ok: false; reason: 'foreign' }
  /** Our format, but the key id is not one this gateway holds (retired, or another dealer group's). */
  | { ok: false; reason: 'unknown-key'; keyId: number }
  /** Our format and a known key, but the MAC does not match this UID: a copy or a forgery. */
  | { ok: false; reason: 'bad-mac'; keyId: number };

function mac(key: CardKey, uid: Buffer, signed: Buffer): Buffer {
  return createHmac('sha256', key.secret)
    .update(DOMAIN)
    .update(Buffer.from([uid.length]))
    .update(uid)
    .update(signed)
    .digest()
    .subarray(0, MAC_BYTES);
}

/** The 16 bytes to write on the card whose chip has `uid`. */
export function encodeCard(uid: Buffer, identity: CardIdentity, key: CardKey): Buffer {
  if (uid.length < 4 || uid.length > 10) throw new RangeError(`a card UID has 4 to 10 bytes, got ${uid.length}`);
  for (const [name, value] of Object.entries(identity)) {
    if (!Number.isInteger(value) || value < 1 || value > MAX_ID) throw new RangeError(`${name} must be an integer 1..${MAX_ID}`);
  }
  if (!Number.isInteger(key.id) || key.id < 0 || key.id > 255) throw new RangeError('key id must be 0..255');
  const data = Buffer.alloc(CARD_BYTES);
  data[0] = CARD_FORMAT_1;
  data[1] = key.id;
  data.writeUInt32BE(identity.memberId, 2);
  data.writeUInt32BE(identity.vehicleId, 6);
  mac(key, uid, data.subarray(0, SIGNED_BYTES)).copy(data, SIGNED_BYTES);
  return data;
}

/** Checks what was read from a card against its UID; `keys` finds a key by id. */
export function verifyCard(uid: Buffer, data: Buffer, keys: (id: number) => CardKey | undefined): CardCheck {
  if (data.length < CARD_BYTES || data[0] !== CARD_FORMAT_1) return { ok: false, reason: 'foreign' };
  const keyId = data[1]!;
  const key = keys(keyId);
  if (!key) return { ok: false, reason: 'unknown-key', keyId };
  const expected = mac(key, uid, data.subarray(0, SIGNED_BYTES));
  if (!timingSafeEqual(expected, data.subarray(SIGNED_BYTES, CARD_BYTES))) return { ok: false, reason: 'bad-mac', keyId };
  const memberId = data.readUInt32BE(2);
  const vehicleId = data.readUInt32BE(6);
  if (memberId === 0 || vehicleId === 0) return { ok: false, reason: 'foreign' };
  return { ok: true, keyId, memberId, vehicleId };
}
