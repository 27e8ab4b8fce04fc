import * as z from 'zod/mini';
import { ReceptionNumber } from './workshop-public.js';

// The survey as the customer's phone sees it. zod/mini, as everything the phone's status page
// parses (i18n.ts): its page then carries no classic zod, and of zod/mini only what these use.

const Timestamp = z.iso.datetime({ offset: true });

/** What a customer may say went well or not: waiting time, the advisor's explanation, the work, the car's cleanliness. */
export const SURVEY_TAGS = ['waiting-time', 'explanation', 'quality', 'cleanliness'] as const;
export const SurveyTag = z.enum(SURVEY_TAGS);
export type SurveyTag = z.infer<typeof SurveyTag>;

/** A comment is a sentence or two, not a letter. */
export const SURVEY_COMMENT_MAX = 300;

/**
 * Whether an order can be rated now: `open` (released, no answer yet), `answered`, `not-released`
 * (still in the workshop, or reopened as a comeback), `expired` (released too long ago).
 */
export const SurveyState = z.enum(['open', 'answered', 'not-released', 'expired']);
export type SurveyState = z.infer<typeof SurveyState>;

/** `GET /api/surveys/by-token/:token`: the phone's survey of its order. */
export const PhoneSurvey = z.strictObject({ state: SurveyState, answeredAt: z.nullable(Timestamp) });
export type PhoneSurvey = z.infer<typeof PhoneSurvey>;

/** What an answer is told: when it was stored. */
export const SurveyAnswered = z.strictObject({ order: ReceptionNumber, answeredAt: Timestamp });
export type SurveyAnswered = z.infer<typeof SurveyAnswered>;
