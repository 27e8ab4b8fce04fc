import { z } from 'zod';
import { SURVEY_COMMENT_MAX, SURVEY_TAGS, SurveyTag } from './survey-public.js';
import { ReceptionNumber } from './workshop.js';

// The fourth S (信息反饋): the customer's one-tap survey after a release, and the store's
// follow-up call (回訪) a few days later. Requests are strict; what a public screen gets names the
// order by its reception number and a masked plate only. What the phone's status page reads is
// its own module (survey-public.ts: zod/mini).
export { PhoneSurvey, SURVEY_COMMENT_MAX, SURVEY_TAGS, SurveyAnswered, SurveyState, SurveyTag } from './survey-public.js';

const Timestamp = z.iso.datetime({ offset: true });
const LocalDate = z.iso.date();

/** Where the answer came from: the kiosk after a card tap, or the phone's status page. */
export const SurveyVia = z.enum(['kiosk', 'phone']);
export type SurveyVia = z.infer<typeof SurveyVia>;

export const SurveyAnswerRequest = z.strictObject({
  rating: z.number().int().min(1).max(5),
  tags: z
    .array(SurveyTag)
    .max(SURVEY_TAGS.length)
    .refine((tags) => new Set(tags).size === tags.length, 'each tag once')
    .default([]),
  comment: z.string().trim().max(SURVEY_COMMENT_MAX).optional(),
});
export type SurveyAnswerRequest = z.infer<typeof SurveyAnswerRequest>;

/** The kiosk answers the order it was offered, for the tapped card's vehicle. */
export const KioskSurveyAnswerRequest = SurveyAnswerRequest.extend({ order: ReceptionNumber });
export type KioskSurveyAnswerRequest = z.infer<typeof KioskSurveyAnswerRequest>;

/** `GET /api/surveys/kiosk/:sessionId`: the released order of the tapped vehicle still waiting for an answer, if any. */
export const KioskSurvey = z.strictObject({
  survey: z.strictObject({ order: ReceptionNumber, maskedPlate: z.string(), model: z.string(), releasedAt: Timestamp }).nullable(),
});
export type KioskSurvey = z.infer<typeof KioskSurvey>;

/** One answer as the manager reads it (staff only: full plate, the comment as written). */
export const SurveyAnswerRow = z.strictObject({
  order: ReceptionNumber,
  plate: z.string(),
  advisor: z.string(),
  rating: z.number().int().min(1).max(5),
  tags: z.array(SurveyTag),
  comment: z.string().nullable(),
  via: SurveyVia,
  releasedAt: Timestamp,
  answeredAt: Timestamp,
});
export type SurveyAnswerRow = z.infer<typeof SurveyAnswerRow>;

/** Filters of the manager's list; dates are the store's local dates of the answer. */
export const SurveyQuery = z.strictObject({
  from: LocalDate.optional(),
  to: LocalDate.optional(),
  rating: z.coerce.number().int().min(1).max(5).optional(),
  tag: z.optional(SurveyTag),
  advisor: z.string().trim().min(1).max(32).optional(),
});
export type SurveyQuery = z.infer<typeof SurveyQuery>;

/** `GET /api/surveys`: the newest answers that match, and figures over all that match. */
export const SurveyList = z.strictObject({
  count: z.number().int().min(0),
  /** Mean rating, two decimals; null without answers. */
  average: z.number().nullable(),
  /** Answers per rating 1…5. */
  byRating: z.array(z.number().int().min(0)).length(5),
  answers: z.array(SurveyAnswerRow),
});
export type SurveyList = z.infer<typeof SurveyList>;

/** When the customer would like the follow-up call. */
export const CALL_TIMES = ['any', 'morning', 'noon', 'afternoon', 'evening'] as const;
export const CallTime = z.enum(CALL_TIMES);
export type CallTime = z.infer<typeof CallTime>;

export const CallPreferenceRequest = z.strictObject({ callTime: CallTime });

export const CALL_OUTCOMES = ['reached', 'not-reached', 'complaint'] as const;
export const CallOutcome = z.enum(CALL_OUTCOMES);
export type CallOutcome = z.infer<typeof CallOutcome>;

/** An advisor's note of a call; a complaint needs one. */
export const CALL_NOTE_MAX = 500;
export const CallOutcomeRequest = z
  .strictObject({ outcome: CallOutcome, note: z.string().trim().max(CALL_NOTE_MAX).optional() })
  .refine((r) => r.outcome !== 'complaint' || (r.note ?? '').length > 0, { path: ['note'], message: 'a complaint needs a note of what the customer said' });
export type CallOutcomeRequest = z.infer<typeof CallOutcomeRequest>;

export const CloseFlagRequest = z.strictObject({ note: z.string().trim().max(CALL_NOTE_MAX).optional() });

/** The customer behind an order, as front-desk staff see any member: name, masked mobile, the reference to reveal it. */
export const FollowUpCustomer = z.strictObject({ ref: z.string(), name: z.string(), phone: z.string().nullable() });
export type FollowUpCustomer = z.infer<typeof FollowUpCustomer>;

/** An order due for its follow-up call. */
export const FollowUpItem = z.strictObject({
  order: ReceptionNumber,
  plate: z.string(),
  model: z.string(),
  advisor: z.string(),
  releasedAt: Timestamp,
  /** The store's local date the call is due. */
  dueDate: LocalDate,
  callTime: CallTime.nullable(),
  /** Calls that did not reach the customer so far. */
  attempts: z.number().int().min(0),
  lastAttemptAt: Timestamp.nullable(),
  customer: FollowUpCustomer.nullable(),
  /** The customer's survey rating, when they answered. */
  rating: z.number().int().min(1).max(5).nullable(),
});
export type FollowUpItem = z.infer<typeof FollowUpItem>;

/** A complaint from a call, flagged for the manager until closed. */
export const ComplaintFlag = z.strictObject({
  id: z.number().int().min(1),
  order: ReceptionNumber,
  plate: z.string(),
  advisor: z.string(),
  note: z.string(),
  at: Timestamp,
  by: z.string(),
  customer: FollowUpCustomer.nullable(),
});
export type ComplaintFlag = z.infer<typeof ComplaintFlag>;

/** `GET /api/follow-ups`: today's list and the open complaints. */
export const FollowUpList = z.strictObject({ today: LocalDate, days: z.number().int(), due: z.array(FollowUpItem), flags: z.array(ComplaintFlag) });
export type FollowUpList = z.infer<typeof FollowUpList>;

/** The answer to a recorded call: the attempt's outcome and whether the order stays on the list. */
export const CallRecorded = z.strictObject({ order: ReceptionNumber, outcome: CallOutcome, attempts: z.number().int().min(0), stillDue: z.boolean(), flag: z.number().int().nullable() });
export type CallRecorded = z.infer<typeof CallRecorded>;
