import type { CallOutcome } from '../../protocol/survey.js';
import { businessDay } from '../queue/business-day.js';

/** The store's calendar date of an instant (midnight to midnight, not the queue's business day). */
export function storeDate(at: Date, timeZone: string): string {
  return businessDay(at, timeZone, 0);
}

/** `date` plus `days` calendar days, both 'YYYY-MM-DD'. */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/**
 * The day the follow-up call (回訪) is due: `days` calendar days after the release, counted in
 * the store's time zone, so a car released at 23:30 local time is due three local days later
 * whatever UTC says.
 */
export function followUpDueDate(releasedAt: string, days: number, timeZone: string): string {
  return addDays(storeDate(new Date(releasedAt), timeZone), days);
}

/** Whether a call about a release is due on the store's `today` (and every day after, until done). */
export function isFollowUpDue(releasedAt: string, today: string, days: number, timeZone: string): boolean {
  return followUpDueDate(releasedAt, days, timeZone) <= today;
}

/** A call that reached the customer (a complaint is a reached call too) ends the follow-up; "not reached" keeps it due. */
export function endsFollowUp(outcome: CallOutcome): boolean {
  return outcome !== 'not-reached';
}

/** The UTC instant a local date begins in the store's time zone (to compare with stored instants). */
export function localMidnight(date: string, timeZone: string): string {
  // Start from UTC midnight and correct by the zone's offset at that moment (twice, for a DST edge).
  let guess = Date.parse(`${date}T00:00:00Z`);
  for (let i = 0; i < 2; i++) guess = Date.parse(`${date}T00:00:00Z`) - offsetMs(new Date(guess), timeZone);
  return new Date(guess).toISOString();
}

function offsetMs(at: Date, timeZone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' })
      .formatToParts(at)
      .map((p) => [p.type, Number(p.value)]),
  );
  const local = Date.UTC(parts.year ?? 0, (parts.month ?? 1) - 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0);
  return local - Math.floor(at.getTime() / 1000) * 1000;
}
