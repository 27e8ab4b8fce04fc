import type { SurveyState } from '../../protocol/survey.js';

/** What the survey rule needs of a repair order. */
export interface SurveyedOrder {
  stage: string;
  releasedAt: string | null;
}

/**
 * Whether an order can be rated at `now`: once released and for `openDays` after, once. A
 * comeback reopens the order and closes its survey until it is released again; an answer given
 * before the comeback still counts as the order's one answer.
 */
export function surveyState(order: SurveyedOrder, answered: boolean, now: Date, openDays: number): SurveyState {
  if (answered) return 'answered';
  if (order.stage !== 'released' || !order.releasedAt) return 'not-released';
  return now.getTime() - Date.parse(order.releasedAt) > openDays * 86_400_000 ? 'expired' : 'open';
}
