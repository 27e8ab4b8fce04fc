import type { KioskGreeting, TicketPriority } from '../../protocol/index.js';
import { maskName, maskPlate } from './mask.js';
import type { AppointmentRecord, MemberLevel, MemberRecord, VehicleRecord } from './member.js';
import { isBirthday, localDate, remindersFor, type ReminderOptions } from './reminders.js';

export interface GreetingContext {
  now: Date;
  timeZone: string;
  reminders: ReminderOptions;
}

/** The vehicle's appointment of the store's current day that is booked or checked in, earliest first. */
export function todaysAppointment(member: MemberRecord, vehicleId: number, now: Date, timeZone: string): AppointmentRecord | undefined {
  const today = localDate(now, timeZone);
  return member.appointments
    .filter((a) => a.vehicleId === vehicleId && a.status !== 'cancelled' && localDate(new Date(a.at), timeZone) === today)
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at))[0];
}

/** What the kiosk may show of a member: masked, nothing a passer-by could use. */
export function kioskGreeting(
  member: MemberRecord,
  vehicle: VehicleRecord,
  ctx: GreetingContext,
  ids: { sessionId: string; tapAt: string },
): KioskGreeting {
  const today = localDate(ctx.now, ctx.timeZone);
  const appointment = todaysAppointment(member, vehicle.id, ctx.now, ctx.timeZone);
  return {
    result: 'greeting',
    sessionId: ids.sessionId,
    member: { maskedName: maskName(member.name), level: member.level, points: member.points, birthdayToday: isBirthday(member, today) },
    vehicle: { maskedPlate: maskPlate(vehicle.plate), model: vehicle.model },
    reminders: remindersFor(vehicle, today, ctx.reminders).map((r) => ({
      kind: r.kind,
      dueDate: r.dueDate,
      dueKm: r.kind === 'maintenance' ? r.dueKm : null,
      overdue: r.overdue,
    })),
    ...(appointment ? { appointment: { at: appointment.at, service: appointment.service, checkedIn: appointment.status === 'checked-in' } } : {}),
    tapAt: ids.tapAt,
    at: ctx.now.toISOString(),
  };
}

/** Queue class of a member's walk-in ticket: appointments are decided by check-in, not here. */
export function walkInPriority(level: MemberLevel, vipLevels: readonly MemberLevel[]): TicketPriority {
  return vipLevels.includes(level) ? 'vip' : 'regular';
}
