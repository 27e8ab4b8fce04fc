import type { CardTap, TapRefusal } from '../../protocol/index.js';
import { looksLikeStaffCard } from '../identity/staff-card.js';
import { verifyCard, type CardKey } from './card-format.js';
import type { MemberRecord, VehicleRecord } from './member.js';
import type { MemberStore } from './store.js';

export type TapOutcome =
  | { kind: 'member'; member: MemberRecord; vehicle: VehicleRecord; uid: string; keyId: number }
  /** `possibleClone`: a known key but a MAC that does not match the UID. */
  | { kind: 'refused'; refusal: TapRefusal; uid?: string; possibleClone?: boolean };

/**
 * Who tapped: the card must be one of ours (format), genuine (MAC over its UID with a key we
 * hold), not replaced by a later card of the same vehicle, and its vehicle must be known here.
 */
export function recogniseTap(tap: CardTap, keys: (id: number) => CardKey | undefined, store: MemberStore): TapOutcome {
  if (tap.kind === 'iso14443-4') return { kind: 'refused', refusal: 'not-member-card' };
  if (tap.kind === 'unreadable' || !tap.uid || !tap.data) return { kind: 'refused', refusal: 'unreadable', ...(tap.uid ? { uid: tap.uid } : {}) };
  const { uid } = tap;
  const check = verifyCard(Buffer.from(uid, 'hex'), Buffer.from(tap.data, 'hex'), keys);
  if (!check.ok) {
    // A staff card is never a member's, genuine or not: the customer is asked for the member card.
    if (check.reason === 'foreign') return { kind: 'refused', refusal: looksLikeStaffCard(Buffer.from(tap.data, 'hex')) ? 'not-member-card' : 'unknown-card', uid };
    return { kind: 'refused', refusal: 'not-genuine', uid, possibleClone: check.reason === 'bad-mac' };
  }
  if (store.card(uid)?.revokedAt) return { kind: 'refused', refusal: 'revoked', uid };
  const found = store.byVehicle(check.vehicleId);
  if (!found || found.member.id !== check.memberId) return { kind: 'refused', refusal: 'unknown-member', uid };
  return { kind: 'member', member: found.member, vehicle: found.vehicle, uid, keyId: check.keyId };
}
