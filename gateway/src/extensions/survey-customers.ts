import type { MemberRecord, MemberStore } from '../domain/members/index.js';
import { scrubFreeText } from '../domain/survey/index.js';
import type { FollowUpCustomer } from '../protocol/index.js';
import { maskPhone } from '../store/opaque-ids.js';
import type { MemberSession } from '../domain/members/sessions.js';

/** What the survey and the follow-up calls need of the members: the kiosk's tap sessions and the member file. */
export interface SurveyMembers {
  session(sessionId: string, role: MemberSession['role'], stations?: readonly string[]): MemberSession;
  readonly store: MemberStore;
  refOf(memberId: number): string;
}

/** The member behind an order's customer reference (`member:12/vehicle:34`), as the desk may see them. */
export class SurveyCustomers {
  constructor(private readonly members: SurveyMembers) {}

  member(customerRef: string | null): MemberRecord | undefined {
    const id = customerRef ? /^member:(\d+)/.exec(customerRef)?.[1] : undefined;
    return id ? this.members.store.member(Number(id)) : undefined;
  }

  /** Name and masked mobile, as front-desk staff see any member file; the reference reveals the number (audited). */
  forDesk(customerRef: string | null): FollowUpCustomer | null {
    const member = this.member(customerRef);
    return member ? { ref: this.members.refOf(member.id), name: member.name, phone: maskPhone(member.phone) } : null;
  }

  /** Free text as it goes to head office: without the customer's name, phone or e-mail. */
  relayed(text: string, customerRef: string | null): string {
    const member = this.member(customerRef);
    return scrubFreeText(text, member ? [member.name] : []);
  }
}
