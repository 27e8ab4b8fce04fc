import { z } from 'zod';
import {
  CallRecorded,
  CallTime,
  FollowUpList,
  KioskSurvey,
  PhoneSurvey,
  RevealedPhone,
  SurveyAnswered,
  SurveyList,
  type CallOutcomeRequest,
  type KioskSurveyAnswerRequest,
  type SurveyAnswerRequest,
  type SurveyQuery,
} from '@forecourt/gateway/protocol';
import { post, request, type ApiResult } from '@forecourt/screen-lib/api.js';

// The survey's and the follow-up calls' HTTP calls: the phone and the kiosk answer the survey,
// the desk lists and records follow-up calls, the manager reads answers and closes complaints.

export function fetchPhoneSurvey(token: string): Promise<ApiResult<PhoneSurvey>> {
  return request(`/api/surveys/by-token/${encodeURIComponent(token)}`, PhoneSurvey);
}

export function answerByToken(token: string, answer: SurveyAnswerRequest): Promise<ApiResult<SurveyAnswered>> {
  return request(`/api/surveys/by-token/${encodeURIComponent(token)}`, SurveyAnswered, post(answer));
}

export function fetchKioskSurvey(sessionId: string): Promise<ApiResult<KioskSurvey>> {
  return request(`/api/surveys/kiosk/${encodeURIComponent(sessionId)}`, KioskSurvey);
}

export function answerAtKiosk(sessionId: string, answer: KioskSurveyAnswerRequest): Promise<ApiResult<SurveyAnswered>> {
  return request(`/api/surveys/kiosk/${encodeURIComponent(sessionId)}`, SurveyAnswered, post(answer));
}

export function fetchSurveys(query: SurveyQuery): Promise<ApiResult<SurveyList>> {
  const params = new URLSearchParams(Object.entries(query).filter((e): e is [string, string | number] => e[1] !== undefined && e[1] !== '').map(([k, v]) => [k, String(v)]));
  return request(`/api/surveys?${params}`, SurveyList);
}

export function fetchFollowUps(): Promise<ApiResult<FollowUpList>> {
  return request('/api/follow-ups', FollowUpList);
}

export function recordCall(order: string, call: CallOutcomeRequest): Promise<ApiResult<CallRecorded>> {
  return request(`/api/follow-ups/${encodeURIComponent(order)}/calls`, CallRecorded, post(call));
}

export function setCallPreference(order: string, callTime: CallTime): Promise<ApiResult<{ order: string; callTime: CallTime }>> {
  return request(`/api/follow-ups/${encodeURIComponent(order)}/preference`, z.object({ order: z.string(), callTime: CallTime }), post({ callTime }));
}

export function closeFlag(id: number, note: string): Promise<ApiResult<{ id: number; closedAt: string }>> {
  return request(`/api/follow-ups/flags/${id}/close`, z.object({ id: z.number(), closedAt: z.string() }), post(note.trim() ? { note: note.trim() } : {}));
}

/** A member's full mobile number (the gateway audits the asking). */
export function revealPhone(ref: string): Promise<ApiResult<z.infer<typeof RevealedPhone>>> {
  return request(`/api/members/${encodeURIComponent(ref)}/reveal-phone`, RevealedPhone, post({}));
}
