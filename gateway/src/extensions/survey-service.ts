import type { FastifyInstance } from 'fastify';
import type { MemberRecord, MemberStore } from '../domain/members/index.js';
import {
  SurveyError,
  addDays,
  endsFollowUp,
  followUpDueDate,
  isFollowUpDue,
  localMidnight,
  scrubFreeText,
  storeDate,
  surveyState,
} from '../domain/survey/index.js';
import { maskPlate, normalizePlate, type RepairOrder, type WorkshopEngine } from '../domain/workshop/index.js';
import { registerSurveyRoutes } from '../http/survey-routes.js';
import type {
  CallOutcomeRequest,
  CallRecorded,
  CallTime,
  ComplaintFlag,
  FollowUpCustomer,
  FollowUpItem,
  FollowUpList,
  KioskSurvey,
  KioskSurveyAnswerRequest,
  PhoneSurvey,
  SurveyAnswerRequest,
  SurveyAnswered,
  SurveyList,
  SurveyQuery,
  SurveyVia,
} from '../protocol/index.js';
import { dmsIdsOf, followUpEntry, surveyAnswerEntry } from '../relay/outbound-events.js';
import type { Actor } from '../store/audit-log.js';
import { maskPhone } from '../store/opaque-ids.js';
import { SqliteSurveyStore } from '../store/survey-store.js';
import type { Extension, ExtensionContext } from './extension.js';
import type { MemberSession } from './member-sessions.js';
import { NotReady } from './not-ready.js';

/** Orders stay on the follow-up list this many days past their due date when nobody reached the customer. */
export const FOLLOW_UP_LIST_DAYS = 30;
/** Answers the manager's list shows at most (the figures count them all). */
const ANSWERS_SHOWN = 200;

/** What the survey needs of the workshop: orders by number and by status token. */
export interface SurveyWorkshop {
  readonly engine: Pick<WorkshopEngine, 'order' | 'orderByToken'>;
}

/** What the survey needs of the members: the kiosk's tap sessions and the member file. */
export interface SurveyMembers {
  session(sessionId: string, role: MemberSession['role'], stations?: readonly string[]): MemberSession;
  readonly store: MemberStore;
  refOf(memberId: number): string;
}

/**
 * The fourth S: the customer's one-tap survey once the car is released (at the kiosk after a card
 * tap, on the phone's status page), and the follow-up call (回訪) the desk makes a few days later.
 * Every answer, call and closed complaint is one transaction with its audit row and its event for
 * head office; free text goes to head office without the customer's name, phone or e-mail.
 */
export class SurveyService implements Extension {
  readonly name = 'survey';
  private storeInstance: SqliteSurveyStore | undefined;

  constructor(
    private readonly ctx: ExtensionContext,
    private readonly workshop: SurveyWorkshop,
    private readonly members: SurveyMembers,
  ) {}

  private get store(): SqliteSurveyStore {
    if (!this.storeInstance) throw new NotReady('the survey is');
    return this.storeInstance;
  }

  async start(): Promise<void> {
    this.storeInstance = new SqliteSurveyStore(this.ctx.db);
  }

  async stop(): Promise<void> {
    this.storeInstance = undefined;
  }

  registerRoutes(app: FastifyInstance): void {
    registerSurveyRoutes(app, this);
  }

  /** The phone's survey of the order behind its status token. */
  phoneSurvey(token: string): PhoneSurvey {
    const order = this.orderByToken(token);
    const answeredAt = this.store.answeredAt(order.id) ?? null;
    return { state: surveyState(order, answeredAt !== null, this.ctx.now(), this.ctx.config.survey.openDays), answeredAt };
  }

  answerByToken(token: string, answer: SurveyAnswerRequest): SurveyAnswered {
    // Nobody signed in: the audit names the page, not the phone's address (audit rows go to head office).
    return this.answer(this.orderByToken(token).no, answer, 'phone', { actor: 'public', role: null, via: 'status-page' });
  }

  /** The latest released order of the tapped card's vehicle still waiting for an answer, if any. */
  kioskSurvey(sessionId: string, stations: readonly string[] | undefined): KioskSurvey {
    const plate = this.tappedPlate(sessionId, stations);
    const since = new Date(this.ctx.now().getTime() - this.ctx.config.survey.openDays * 86_400_000).toISOString();
    const order = plate ? this.store.unansweredOfPlate(plate, since) : undefined;
    return { survey: order ? { order: order.no, maskedPlate: maskPlate(order.plate), model: order.model, releasedAt: order.releasedAt } : null };
  }

  /** An answer at the kiosk, for an order of the vehicle whose card was tapped there. */
  answerAtKiosk(sessionId: string, stations: readonly string[] | undefined, answer: KioskSurveyAnswerRequest, actor: Actor): SurveyAnswered {
    const session = this.members.session(sessionId, 'kiosk', stations);
    const plate = this.tappedPlate(sessionId, stations);
    const order = this.workshop.engine.order(answer.order);
    // Another vehicle's order is no business of this card: the same answer as an unknown order.
    if (!plate || order.plate !== plate) throw new SurveyError('order-not-found', `no released order ${answer.order} for this card`);
    return this.answer(order.no, answer, 'kiosk', actor, `member:${session.memberId}/vehicle:${session.vehicleId}`);
  }

  /** The manager's list: newest answers matching the filters, with the count, the mean and counts per rating. */
  list(query: SurveyQuery): SurveyList {
    const tz = this.ctx.config.store.timeZone;
    const { rows, count, sum, byRating } = this.store.answers(
      {
        fromAt: query.from ? localMidnight(query.from, tz) : undefined,
        toAt: query.to ? localMidnight(addDays(query.to, 1), tz) : undefined,
        rating: query.rating,
        tag: query.tag,
        advisor: query.advisor,
      },
      ANSWERS_SHOWN,
    );
    return {
      count,
      average: count > 0 ? Math.round((sum / count) * 100) / 100 : null,
      byRating,
      answers: rows.map((r) => ({
        order: r.orderNo,
        plate: r.plate,
        advisor: r.advisor,
        rating: r.rating,
        tags: r.tags,
        comment: r.comment,
        via: r.via,
        releasedAt: r.releasedAt,
        answeredAt: r.answeredAt,
      })),
    };
  }

  /** Orders due for their follow-up call today (by the store's calendar), and the open complaints. */
  followUps(): FollowUpList {
    const { timeZone } = this.ctx.config.store;
    const days = this.ctx.config.survey.followUpDays;
    const today = storeDate(this.ctx.now(), timeZone);
    const oldestDue = addDays(today, -FOLLOW_UP_LIST_DAYS);
    const lastReleaseDay = addDays(today, -days);
    // The business day of a release is its local date or, before the day's start hour, the day before.
    const candidates = this.store
      .releasedBetween(addDays(lastReleaseDay, -FOLLOW_UP_LIST_DAYS - 1), lastReleaseDay)
      .filter((o) => isFollowUpDue(o.releasedAt, today, days, timeZone) && followUpDueDate(o.releasedAt, days, timeZone) >= oldestDue);
    const ids = candidates.map((o) => o.id);
    const calls = this.store.calls(ids);
    const preferences = this.store.preferences(ids);
    const ratings = this.store.ratings(ids);
    const due: FollowUpItem[] = [];
    for (const o of candidates) {
      const mine = calls.filter((c) => c.orderId === o.id && c.releasedAt === o.releasedAt);
      if (mine.some((c) => endsFollowUp(c.outcome))) continue;
      due.push({
        order: o.no,
        plate: o.plate,
        model: o.model,
        advisor: o.advisor,
        releasedAt: o.releasedAt,
        dueDate: followUpDueDate(o.releasedAt, days, timeZone),
        callTime: preferences.get(o.id) ?? null,
        attempts: mine.length,
        lastAttemptAt: mine.at(-1)?.at ?? null,
        customer: this.customerOf(o.customerRef),
        rating: ratings.get(o.id) ?? null,
      });
    }
    const flags: ComplaintFlag[] = this.store.openFlags().map((f) => ({
      id: f.seq,
      order: f.orderNo,
      plate: f.plate,
      advisor: f.advisor,
      note: f.note ?? '',
      at: f.at,
      by: f.by,
      customer: this.customerOf(f.customerRef),
    }));
    return { today, days, due, flags };
  }

  /** The customer's preferred time for the follow-up call, noted by the desk (at settlement). */
  setPreference(orderNo: string, callTime: CallTime, actor: Actor): { order: string; callTime: CallTime } {
    const at = this.ctx.now().toISOString();
    return this.store.transaction(() => {
      const order = this.workshop.engine.order(orderNo);
      this.ctx.identity.audit.record(
        actor,
        () => this.store.setPreference(order.id, callTime, at, actor.actor, followUpEntry(order.id, { order: order.no, kind: 'preference', releasedAt: order.releasedAt, ...dmsIdsOf(order.customerRef), callTime, at, by: actor.actor })),
        () => ({ action: 'follow-up.preference', target: `order:${order.no}`, detail: { callTime } }),
      );
      return { order: order.no, callTime };
    });
  }

  /**
   * One follow-up call of the order's latest release: reached and complaint end it (a complaint
   * also flags it for the manager), not reached keeps it on the list with one more attempt.
   */
  recordCall(orderNo: string, call: CallOutcomeRequest, actor: Actor): CallRecorded {
    const at = this.ctx.now().toISOString();
    return this.store.transaction(() => {
      const order = this.workshop.engine.order(orderNo);
      const { releasedAt } = order;
      if (order.stage !== 'released' || !releasedAt) throw new SurveyError('follow-up-not-open', `order ${order.no} is not released; its follow-up call comes after the release`);
      const before = this.store.callsOfRelease(order.id, releasedAt);
      if (before.some((c) => endsFollowUp(c.outcome))) throw new SurveyError('follow-up-not-open', `the follow-up call of order ${order.no} is already recorded`);
      const note = call.note ? call.note : null;
      const attempt = before.length + 1;
      const relayedNote = note === null ? null : scrubFreeText(note, this.namesOf(order.customerRef));
      const seq = this.ctx.identity.audit.record(
        actor,
        () =>
          this.store.insertCall({ orderId: order.id, releasedAt, outcome: call.outcome, note, at, by: actor.actor }, () =>
            followUpEntry(order.id, { order: order.no, kind: 'call', releasedAt, ...dmsIdsOf(order.customerRef), outcome: call.outcome, attempt, note: relayedNote, at, by: actor.actor }),
          ),
        () => ({ action: 'follow-up.call', target: `order:${order.no}`, detail: { outcome: call.outcome, attempt } }),
      );
      this.ctx.log.info({ order: order.no, outcome: call.outcome, attempt, by: actor.actor }, 'follow-up call');
      return { order: order.no, outcome: call.outcome, attempts: attempt, stillDue: !endsFollowUp(call.outcome), flag: call.outcome === 'complaint' ? seq : null };
    });
  }

  /** The manager closes a complaint's flag (with what was done about it). */
  closeFlag(id: number, note: string | undefined, actor: Actor): { id: number; closedAt: string } {
    const at = this.ctx.now().toISOString();
    return this.store.transaction(() => {
      const flag = this.store.flag(id);
      if (!flag) throw new SurveyError('flag-not-found', `no complaint flag ${id}`);
      if (flag.closedAt) throw new SurveyError('flag-closed', `complaint flag ${id} was closed at ${flag.closedAt}`);
      const order = this.orderById(flag.orderId);
      const relayedNote = note ? scrubFreeText(note, this.namesOf(order?.customerRef ?? null)) : null;
      this.ctx.identity.audit.record(
        actor,
        () =>
          this.store.closeFlag(id, at, actor.actor, note ?? null, followUpEntry(flag.orderId, { order: order?.no ?? '', kind: 'flag-closed', releasedAt: order?.releasedAt ?? null, ...dmsIdsOf(order?.customerRef ?? null), note: relayedNote, at, by: actor.actor })),
        () => ({ action: 'follow-up.close-flag', target: `order:${order?.no ?? flag.orderId}`, detail: { flag: id } }),
      );
      return { id, closedAt: at };
    });
  }

  /**
   * The one answer of an order: checked and stored in one transaction that holds the write lock
   * from its first read, and the table's key refuses a second answer whatever the race.
   */
  private answer(orderNo: string, answer: SurveyAnswerRequest, via: SurveyVia, actor: Actor, tappedRef?: string): SurveyAnswered {
    const now = this.ctx.now();
    const answeredAt = now.toISOString();
    return this.store.transaction(() => {
      const order = this.workshop.engine.order(orderNo);
      const state = surveyState(order, this.store.answeredAt(order.id) !== undefined, now, this.ctx.config.survey.openDays);
      if (state === 'answered') throw new SurveyError('survey-answered', `order ${order.no} has been rated already — thank you`);
      if (state !== 'open' || !order.releasedAt) throw new SurveyError('survey-not-open', `order ${order.no} cannot be rated now (${state})`);
      const releasedAt = order.releasedAt;
      const customerRef = order.customerRef ?? tappedRef ?? null;
      const comment = answer.comment ? answer.comment : null;
      const stored = { orderId: order.id, orderNo: order.no, releasedAt, advisor: order.advisor, rating: answer.rating, tags: answer.tags, comment, via, answeredAt };
      const event = surveyAnswerEntry(order.id, {
        order: order.no,
        releasedAt,
        advisor: order.advisor,
        ...dmsIdsOf(customerRef),
        rating: answer.rating,
        tags: answer.tags,
        comment: comment === null ? null : scrubFreeText(comment, this.namesOf(customerRef)),
        via,
        answeredAt,
      });
      this.ctx.identity.audit.record(
        actor,
        () => {
          if (!this.store.insertAnswer(stored, event)) throw new SurveyError('survey-answered', `order ${order.no} has been rated already — thank you`);
        },
        () => ({ action: 'survey.answer', target: `order:${order.no}`, detail: { rating: answer.rating, via } }),
      );
      this.ctx.log.info({ order: order.no, rating: answer.rating, via }, 'survey answered');
      return { order: order.no, answeredAt };
    });
  }

  private orderByToken(token: string): RepairOrder {
    const order = this.workshop.engine.orderByToken(token);
    if (!order) throw new SurveyError('order-not-found', 'no repair order for this link');
    return order;
  }

  private orderById(id: string) {
    return this.store.releasedById(id);
  }

  /** The normalized plate of the vehicle whose card made this kiosk session. */
  private tappedPlate(sessionId: string, stations: readonly string[] | undefined): string | undefined {
    const session = this.members.session(sessionId, 'kiosk', stations);
    const vehicle = this.members.store.byVehicle(session.vehicleId)?.vehicle;
    return vehicle ? normalizePlate(vehicle.plate) : undefined;
  }

  private memberOf(customerRef: string | null): MemberRecord | undefined {
    const id = customerRef ? /^member:(\d+)/.exec(customerRef)?.[1] : undefined;
    return id ? this.members.store.member(Number(id)) : undefined;
  }

  /** Name and masked mobile, as front-desk staff see any member file; the reference reveals the number (audited). */
  private customerOf(customerRef: string | null): FollowUpCustomer | null {
    const member = this.memberOf(customerRef);
    return member ? { ref: this.members.refOf(member.id), name: member.name, phone: maskPhone(member.phone) } : null;
  }

  private namesOf(customerRef: string | null): string[] {
    const member = this.memberOf(customerRef);
    return member ? [member.name] : [];
  }
}
