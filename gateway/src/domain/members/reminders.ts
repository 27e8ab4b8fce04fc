import { businessDay } from '../queue/business-day.js';
import type { MemberRecord, VehicleRecord } from './member.js';

export type Reminder =
  | { kind: 'maintenance'; dueDate: string | null; dueKm: number | null; overdue: boolean }
  | { kind: 'inspection' | 'insurance'; dueDate: string; overdue: boolean };

export interface ReminderOptions {
  /** A date-based reminder shows from this many days before the date. */
  days: number;
  /** The maintenance reminder shows from this many km before the due mileage. */
  km: number;
}

export const DEFAULT_REMINDERS: ReminderOptions = { days: 30, km: 1000 };

/** The local calendar date ('YYYY-MM-DD') of an instant in the store's time zone. */
export function localDate(at: Date, timeZone: string): string {
  return businessDay(at, timeZone, 0);
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** Maintenance, annual inspection (年審) and insurance expiry that are due soon or overdue, in that order. */
export function remindersFor(vehicle: VehicleRecord, today: string, opts: ReminderOptions = DEFAULT_REMINDERS): Reminder[] {
  const out: Reminder[] = [];
  const soon = (date: string | null): boolean => date !== null && daysBetween(today, date) <= opts.days;
  const past = (date: string | null): boolean => date !== null && daysBetween(today, date) < 0;

  const { maintenanceDueDate: dueDate, maintenanceDueKm: dueKm, mileageKm } = vehicle;
  const kmSoon = dueKm !== null && mileageKm !== null && dueKm - mileageKm <= opts.km;
  if (soon(dueDate) || kmSoon) {
    const kmOver = dueKm !== null && mileageKm !== null && mileageKm >= dueKm;
    out.push({ kind: 'maintenance', dueDate, dueKm, overdue: past(dueDate) || kmOver });
  }
  if (vehicle.inspectionDue && soon(vehicle.inspectionDue)) {
    out.push({ kind: 'inspection', dueDate: vehicle.inspectionDue, overdue: past(vehicle.inspectionDue) });
  }
  if (vehicle.insuranceExpiry && soon(vehicle.insuranceExpiry)) {
    out.push({ kind: 'insurance', dueDate: vehicle.insuranceExpiry, overdue: past(vehicle.insuranceExpiry) });
  }
  return out;
}

/** True on the member's birthday; a 29 February birthday is celebrated on 28 February in other years. */
export function isBirthday(member: Pick<MemberRecord, 'birthday'>, today: string): boolean {
  if (!member.birthday) return false;
  const monthDay = member.birthday.slice(5);
  const year = Number(today.slice(0, 4));
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const celebrated = monthDay === '02-29' && !leap ? '02-28' : monthDay;
  return today.slice(5) === celebrated;
}
