import { CodedError } from '../coded-error.js';

/** Stable machine codes of refused survey and follow-up requests; screens translate them. */
export const SURVEY_ERROR_CODES = [
  'order-not-found',
  'survey-not-open',
  'survey-answered',
  'follow-up-not-open',
  'flag-not-found',
  'flag-closed',
] as const;
export type SurveyErrorCode = (typeof SURVEY_ERROR_CODES)[number];

/** A survey answer or a follow-up record refused before anything changed. */
export class SurveyError extends CodedError<SurveyErrorCode> {}
