import * as z from 'zod/mini';
import { WaitRange } from './wait-range.js';

/**
 * zod/mini: the phone's status page parses it (i18n.ts).
 *
 * A waiting ticket's estimate moved a lot since the customer first saw it (at the kiosk, on the
 * printed ticket): the phone page says so, with the first figures.
 */
export const WaitChange = z.strictObject({
  direction: z.enum(['later', 'sooner']),
  first: z.strictObject({ estimatedWaitMin: z.int().check(z.nonnegative()), estimatedWaitRange: WaitRange }),
});
export type WaitChange = z.infer<typeof WaitChange>;

/** A change counts from this many minutes… */
export const WAIT_CHANGE_MIN = 5;
/** …and this share of the first estimate, so a long wait does not flag every few minutes. */
export const WAIT_CHANGE_SHARE = 0.3;

/**
 * Compares when the ticket is expected to be called, not the minutes left: a customer told "about
 * 20 min" who, 15 minutes later, is told "about 5" has seen no change. Undefined while it holds.
 */
export function waitChangeDirection(first: { at: Date; minutes: number }, current: { now: Date; minutes: number }): WaitChange['direction'] | undefined {
  const shift = (current.now.getTime() - first.at.getTime()) / 60_000 + current.minutes - first.minutes;
  if (Math.abs(shift) < WAIT_CHANGE_MIN || Math.abs(shift) < WAIT_CHANGE_SHARE * first.minutes) return undefined;
  return shift > 0 ? 'later' : 'sooner';
}
