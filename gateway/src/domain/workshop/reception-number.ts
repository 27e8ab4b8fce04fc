import { WorkshopError } from './errors.js';

/** Three digits per business day: at most this many orders are created in one day. */
export const MAX_ORDERS_PER_DAY = 999;

/** 受理號碼 from the business day ('2025-03-01') and its sequence: 250301-007. */
export function receptionNumber(businessDay: string, sequence: number): string {
  if (sequence > MAX_ORDERS_PER_DAY) {
    throw new WorkshopError('day-full', `all ${MAX_ORDERS_PER_DAY} reception numbers of ${businessDay} are taken`);
  }
  return `${businessDay.slice(2).replaceAll('-', '')}-${String(sequence).padStart(3, '0')}`;
}
