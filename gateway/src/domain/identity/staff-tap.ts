import type { CardTap, StaffTapRefusal } from '../../protocol/index.js';
import type { CardKey } from '../members/card-format.js';
import { verifyStaffCard } from './staff-card.js';

/** A staff card's row as the store keeps it. */
export interface StaffCardRow {
  serial: number;
  uid: string;
  version: number;
  staffId: string;
  issuedAt: string | null;
  revokedAt: string | null;
  revokedWhy: 'revoked' | 'superseded' | null;
  staffDisabled: boolean;
}

export type StaffTapOutcome =
  | { kind: 'staff'; card: StaffCardRow }
  /** `possibleClone`: our record and key, but a MAC that does not match the UID. */
  | { kind: 'refused'; refusal: StaffTapRefusal; uid?: string; possibleClone?: boolean; serial?: number };

/**
 * Whose staff card was tapped: our staff record (never a member card), genuine (MAC over its UID
 * with a staff key of this store), and still good by its row: written, on this very UID, the
 * version the row holds, not revoked nor superseded by a newer card, its staff member not disabled.
 */
export function recogniseStaffTap(tap: CardTap, keys: (id: number) => CardKey | undefined, cardBySerial: (serial: number) => StaffCardRow | undefined): StaffTapOutcome {
  if (tap.kind === 'iso14443-4') return { kind: 'refused', refusal: 'not-staff-card' };
  if (tap.kind === 'unreadable' || !tap.uid || !tap.data) return { kind: 'refused', refusal: 'unreadable', ...(tap.uid ? { uid: tap.uid } : {}) };
  const { uid } = tap;
  const check = verifyStaffCard(Buffer.from(uid, 'hex'), Buffer.from(tap.data, 'hex'), keys);
  if (!check.ok) {
    if (check.reason === 'member-card') return { kind: 'refused', refusal: 'member-card', uid };
    if (check.reason === 'foreign') return { kind: 'refused', refusal: 'not-staff-card', uid };
    return { kind: 'refused', refusal: 'not-genuine', uid, possibleClone: check.reason === 'bad-mac' };
  }
  const card = cardBySerial(check.serial);
  // A genuine MAC on a row that does not match was written by us for something else: not this card.
  if (!card || card.uid !== uid || card.version !== check.version || !card.issuedAt) return { kind: 'refused', refusal: 'not-genuine', uid, serial: check.serial };
  if (card.revokedAt) return { kind: 'refused', refusal: card.revokedWhy === 'superseded' ? 'superseded' : 'revoked', uid, serial: card.serial };
  if (card.staffDisabled) return { kind: 'refused', refusal: 'staff-disabled', uid, serial: card.serial };
  return { kind: 'staff', card };
}
