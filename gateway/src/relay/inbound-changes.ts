import { z } from 'zod';
import { MemberRecord } from '../domain/members/index.js';

// DMS → store: `GET {url}/changes?since={cursor}&limit=N` (firmware-config/dms-openapi.json).
// The page is read leniently (each change is checked on its own), so one bad record is rejected
// alone and the rest of the page still applies.

/** One change as the DMS sends it: the whole member (STAR: Party) with vehicles and bookings. */
export const MemberChange = z.strictObject({ kind: z.literal('member'), member: MemberRecord });
export type MemberChange = z.infer<typeof MemberChange>;

/** Largest changes page the store reads: a page of 5000 whole members, each with cars and bookings. */
export const MAX_CHANGES_PAGE_BYTES = 32 * 1024 * 1024;

export const ChangesPage = z.strictObject({
  /** Opaque to the store; sent back as `since` to get what follows. */
  cursor: z.string().min(1).max(200),
  /** More changes wait after this page. */
  more: z.boolean(),
  changes: z.array(z.unknown()).max(5000),
});
export type ChangesPage = z.infer<typeof ChangesPage>;

/** The page as the OpenAPI document describes it (each change a MemberChange). */
export const ChangesPageContract = ChangesPage.extend({ changes: z.array(MemberChange).max(5000) });
