import { z } from 'zod';
import { MemberLevel } from '../domain/members/member.js';

/** A card key of the dealer group; every gateway of the group holds the same keys. */
export const CardKeyConfig = z
  .object({
    /** Written on each card (1–255), so keys can be rotated while old cards stay valid. */
    id: z.number().int().min(1).max(255),
    /** The key's bytes in hex, at least 16 bytes (`openssl rand -hex 32`); used as bytes, never logged. */
    secret: z
      .string()
      .regex(/^(?:[0-9a-fA-F]{2})+$/, 'hex-encoded bytes (openssl rand -hex 32)')
      .min(32, 'at least 16 bytes (32 hex characters)'),
  })
  .strict();

export const MembersConfig = z
  .object({
    /**
     * Keys that verify cards. Empty: the public demo key (cards anyone could forge; the gateway
     * warns at start-up). Drop a key once its cards have been re-issued.
     */
    cardKeys: z.array(CardKeyConfig).default([]),
    /** The key new cards are written with; default: the highest id. */
    currentKeyId: z.number().int().min(1).max(255).optional(),
    /** Member levels whose walk-in tickets are called as VIP. */
    vipLevels: z.array(MemberLevel).default(['gold', 'platinum']),
    /** Reminders show this many days before maintenance, inspection (年審) or insurance is due. */
    reminderDays: z.number().int().min(0).max(365).default(30),
    /** The maintenance reminder shows this many km before the due mileage. */
    reminderKm: z.number().int().min(0).max(20_000).default(1000),
    /** The same card back on the reader within this time is the same tap (a card left lying there). */
    tapDebounceMs: z.number().int().min(0).max(60_000).default(1500),
  })
  .strict()
  .superRefine((m, ctx) => {
    const ids = m.cardKeys.map((k) => k.id);
    if (new Set(ids).size !== ids.length) ctx.addIssue({ code: 'custom', path: ['cardKeys'], message: 'duplicate key id' });
    if (m.currentKeyId !== undefined && !ids.includes(m.currentKeyId)) {
      ctx.addIssue({ code: 'custom', path: ['currentKeyId'], message: `no card key with id ${m.currentKeyId}` });
    }
  });
export type MembersConfig = z.infer<typeof MembersConfig>;
