import { z } from 'zod';
import { MemberRecord, RecordId } from '../domain/members/index.js';
import { JobInput, Plate, StaffName } from '../protocol/workshop.js';

// DMS → store: `GET {url}/changes?since={cursor}&limit=N` (firmware-config/dms-openapi.json).
// The page is read leniently (each change is checked on its own), so one bad record is rejected
// alone and the rest of the page still applies.

/** One change as the DMS sends it: the whole member (STAR: Party) with vehicles and bookings. */
export const MemberChange = z.strictObject({ kind: z.literal('member'), member: MemberRecord });
export type MemberChange = z.infer<typeof MemberChange>;

/**
 * A repair order booked in the DMS (STAR: RepairOrder, for an appointment): the store books it
 * once, through the same validated `book` command as the desk's, and owns it from then on.
 */
export const RepairOrderChange = z.strictObject({
  kind: z.literal('repair-order'),
  order: z.strictObject({
    /** The DMS's own id of the order: the store books each id once. */
    dmsId: z.string().min(1).max(64),
    plate: Plate,
    model: z.string().trim().min(1).max(60),
    customerId: RecordId.optional(),
    vehicleId: RecordId.optional(),
    advisor: StaffName,
    appointmentAt: z.iso.datetime({ offset: true }),
    promisedAt: z.iso.datetime({ offset: true }).optional(),
    jobs: z.array(JobInput).max(30).default([]),
  }),
});
export type RepairOrderChange = z.infer<typeof RepairOrderChange>;

export const DmsChange = z.discriminatedUnion('kind', [MemberChange, RepairOrderChange]);
export type DmsChange = z.infer<typeof DmsChange>;

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

/** The page as the OpenAPI document describes it (each change a member or a booked repair order). */
export const ChangesPageContract = ChangesPage.extend({ changes: z.array(DmsChange).max(5000) });
