import { MemberError, todaysAppointment, walkInPriority } from '../domain/members/index.js';
import type { MemberSession } from '../domain/members/sessions.js';
import type { CommandResult } from '../domain/queue/index.js';
import type { Caller, KioskCheckInApi } from '../http/member-routes.js';
import { ticketKey } from '../relay/outbound-events.js';
import type { ExtensionContext } from './extension.js';
import type { MemberDirectory } from './member-directory.js';
import type { QueueService } from './queue-service.js';

/**
 * The member greeted at the kiosk checks in: a walk-in ticket, or today's appointment. Each ticket
 * is stored with the member's visit in one transaction; announce() the result once committed.
 */
export class KioskCheckIn implements KioskCheckInApi {
  constructor(
    private readonly ctx: ExtensionContext,
    private readonly members: MemberDirectory,
    private readonly queue: QueueService,
  ) {}

  /** A walk-in ticket for the greeted member: VIP levels are called first. */
  ticketFor(sessionId: string, service: string, caller: Caller): CommandResult {
    const session = this.members.session(sessionId, 'kiosk', caller.stations);
    return this.ctx.db.transaction(() => {
      const member = this.members.memberOf(session);
      const priority = walkInPriority(member.level, this.ctx.config.members.vipLevels);
      const issued = this.queue.commit({ action: 'issue', service, priority, memberRef: memberRef(session) }, caller.actor);
      this.recordVisit(session, issued);
      return issued;
    })();
  }

  /**
   * Checks in today's appointment of the tapped vehicle: an appointment-class ticket for its
   * service. Reading the appointment, issuing the ticket and marking the appointment are one
   * transaction with no await inside, so a double tap or a second kiosk gets no second ticket:
   * the later one finds the appointment checked in, and a refused ticket (the day is full)
   * leaves it booked.
   */
  checkInFor(sessionId: string, caller: Caller): CommandResult {
    const session = this.members.session(sessionId, 'kiosk', caller.stations);
    return this.ctx.db.transaction(() => {
      const member = this.members.memberOf(session);
      const appointment = todaysAppointment(member, session.vehicleId, this.ctx.now(), this.ctx.config.store.timeZone);
      if (!appointment || appointment.status !== 'booked') throw new MemberError('no-appointment', 'no appointment to check in today');
      const issued = this.queue.commit({ action: 'issue', service: appointment.service, priority: 'appointment', memberRef: memberRef(session) }, caller.actor);
      const { event } = issued;
      if ('ticket' in event) this.members.store.checkIn(appointment.id, ticketKey(event.ticket.businessDay, event.ticket.number), event.at);
      this.recordVisit(session, issued);
      return issued;
    })();
  }

  /** Tells the screens what a committed ticket changed. */
  announce(result: CommandResult): Promise<CommandResult> {
    return this.queue.announce(result);
  }

  private recordVisit(session: MemberSession, result: CommandResult): void {
    if (!('ticket' in result.event)) return;
    const { ticket } = result.event;
    this.members.store.recordVisit({ ticketId: ticket.id, ticketNumber: ticket.number, service: ticket.service, memberId: session.memberId, vehicleId: session.vehicleId, at: result.event.at, via: 'kiosk', desk: null });
  }
}

/** What a ticket keeps of its member: opaque to the queue, never published. */
function memberRef(session: MemberSession): string {
  return `member:${session.memberId}/vehicle:${session.vehicleId}`;
}
