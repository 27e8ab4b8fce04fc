import { DEMO_MEMBERS, demoMembers } from '../demo/demo-members.js';
import { MemberError, type MemberRecord, type MemberStore } from '../domain/members/index.js';
import { MemberSessions, type MemberSession } from '../domain/members/sessions.js';
import { NotReady } from '../domain/not-ready.js';
import { SqliteMemberStore } from '../store/member-store.js';
import { OpaqueIds } from '../store/opaque-ids.js';
import type { ExtensionContext } from './extension.js';
import type { SurveyMembers } from './survey-customers.js';

/**
 * The members as the gateway holds them: their store (with the demo's members in demo mode), the
 * opaque references URLs carry, and the sessions card taps open. The member service opens it at
 * its start and closes it at its stop; until then every use answers "not ready".
 */
export class MemberDirectory implements SurveyMembers {
  private memberStore: MemberStore | undefined;
  private opaqueIds: OpaqueIds | undefined;
  private readonly sessions: MemberSessions;

  constructor(
    private readonly ctx: ExtensionContext,
    private readonly demo: boolean,
  ) {
    this.sessions = new MemberSessions(() => ctx.now().getTime());
  }

  get store(): MemberStore {
    if (!this.memberStore) throw new NotReady('members are');
    return this.memberStore;
  }

  open(): void {
    const { config, log } = this.ctx;
    const store = new SqliteMemberStore(this.ctx.db);
    if (this.demo && store.count() === 0) {
      store.upsertMembers(demoMembers(1, DEMO_MEMBERS, this.ctx.now(), config.store.timeZone));
      log.info({ members: DEMO_MEMBERS }, 'demo members loaded');
    }
    this.memberStore = store;
    this.opaqueIds = OpaqueIds.forDatabase(this.ctx.db);
  }

  close(): void {
    this.memberStore = undefined;
  }

  /** The opaque reference of a member for URLs. */
  refOf(memberId: number): string {
    return this.opaque().encode(memberId);
  }

  /** The member id behind a reference; a made-up reference is simply not found. */
  memberIdOf(ref: string): number {
    const id = this.opaque().decode(ref);
    if (id === undefined || !this.store.member(id)) throw new MemberError('member-not-found', 'no such member');
    return id;
  }

  /** Opens the session of a tap (or of a card just issued) for its station. */
  openSession(fields: Omit<MemberSession, 'id' | 'createdAt'>): MemberSession {
    return this.sessions.open(fields);
  }

  /**
   * A tap's session, for the station it happened at: a kiosk only acts on its own greetings, a
   * desk only reads its own taps (`stations` undefined: any, for staff without a desk).
   */
  session(sessionId: string, role: MemberSession['role'], stations?: readonly string[]): MemberSession {
    const session = this.sessions.get(sessionId);
    if (!session || session.role !== role || (stations && !stations.includes(session.station))) throw new MemberError('session-not-found', 'this tap has expired; please tap the card again');
    return session;
  }

  /** The member a session was opened for. */
  memberOf(session: MemberSession): MemberRecord {
    const member = this.store.member(session.memberId);
    if (!member) throw new MemberError('member-not-found', 'the member is no longer known');
    return member;
  }

  private opaque(): OpaqueIds {
    if (!this.opaqueIds) throw new NotReady('members are');
    return this.opaqueIds;
  }
}
