import { MemberError, isBirthday, localDate, remindersFor } from '../domain/members/index.js';
import type { MemberSession } from '../domain/members/sessions.js';
import type { MemberFilesApi } from '../http/member-routes.js';
import type { MemberFile, MemberSearchAnswer } from '../protocol/index.js';
import type { Actor } from '../store/audit-log.js';
import { maskPhone } from '../store/opaque-ids.js';
import type { ExtensionContext } from './extension.js';
import type { MemberDirectory } from './member-directory.js';

const VISITS_SHOWN = 20;

/** What front-desk staff read of members: search results and files with the mobile number masked, the number itself on request (audited). */
export class MemberFiles implements MemberFilesApi {
  constructor(
    private readonly ctx: ExtensionContext,
    private readonly members: MemberDirectory,
  ) {}

  /** Search results for the desk, masked like the file. */
  search(query: string, limit: number): MemberSearchAnswer['members'] {
    return this.members.store.search(query, limit).map(({ id, ...m }) => ({ ...m, ref: this.members.refOf(id), phone: maskPhone(m.phone) }));
  }

  memberIdOf(ref: string): number {
    return this.members.memberIdOf(ref);
  }

  session(sessionId: string, role: MemberSession['role'], stations?: readonly string[]): MemberSession {
    return this.members.session(sessionId, role, stations);
  }

  /** A member's full mobile number for a staff member who asked for it; the asking is audited. */
  revealPhone(ref: string, actor: Actor): string | null {
    const id = this.members.memberIdOf(ref);
    return this.ctx.identity.audit.record(actor, () => this.members.store.member(id)?.phone ?? null, () => ({ action: 'member.reveal-phone', target: `member:${ref}` }));
  }

  /** The desk's full view of a member, from a desk session or by member id; the mobile number masked. */
  memberFile(memberId: number, session?: MemberSession): MemberFile {
    const store = this.members.store;
    const member = store.member(memberId);
    if (!member) throw new MemberError('member-not-found', 'no such member');
    const { now, config } = this.ctx;
    const today = localDate(now(), config.store.timeZone);
    const cards = store.cardsOfMember(memberId).filter((c) => !c.revokedAt);
    const options = { days: config.members.reminderDays, km: config.members.reminderKm };
    return {
      member: { ref: this.members.refOf(member.id), name: member.name, phone: maskPhone(member.phone), level: member.level, points: member.points, birthday: member.birthday, birthdayToday: isBirthday(member, today) },
      vehicles: member.vehicles.map((v) => {
        const card = cards.find((c) => c.vehicleId === v.id);
        return {
          ...v,
          reminders: remindersFor(v, today, options).map((r) => ({ kind: r.kind, dueDate: r.dueDate, dueKm: r.kind === 'maintenance' ? r.dueKm : null, overdue: r.overdue })),
          card: card ? { uid: card.uid, keyId: card.keyId, issuedAt: card.issuedAt } : null,
        };
      }),
      appointments: member.appointments,
      visits: store.visits(memberId, VISITS_SHOWN).map(({ ticketNumber, service, at, via, desk }) => ({ ticketNumber, service, at, via, desk })),
      tappedVehicleId: session?.vehicleId ?? null,
      linkedTicket: session?.linkedTicket ?? null,
    };
  }
}
