import type { FastifyInstance } from 'fastify';
import { SurveyError, addDays, endsFollowUp, followUpDueDate, isFollowUpDue, storeDate } from '../domain/survey/index.js';
import type { WorkshopEngine } from '../domain/workshop/index.js';
import { registerFollowUpRoutes } from '../http/follow-up-routes.js';
import type { CallOutcomeRequest, CallRecorded, CallTime, ComplaintFlag, FollowUpItem, FollowUpList } from '../protocol/index.js';
import { dmsIdsOf, followUpEntry } from '../relay/outbound-events.js';
import type { Actor } from '../store/audit-log.js';
import { SqliteFollowUpStore } from '../store/follow-up-store.js';
import type { Extension, ExtensionContext } from './extension.js';
import { NotReady } from '../domain/not-ready.js';
import { SurveyCustomers, type SurveyMembers } from './survey-customers.js';

/** Orders stay on the follow-up list this many days past their due date when nobody reached the customer. */
export const FOLLOW_UP_LIST_DAYS = 30;

/** What the follow-up calls need of the workshop: orders by number. */
export interface FollowUpWorkshop {
  readonly engine: Pick<WorkshopEngine, 'order'>;
}

/**
 * The follow-up call (回訪) a few days after a release: the desk's list of orders due by the
 * store's calendar, the preferred call time noted at settlement, each call's outcome, and
 * complaints flagged for the manager until closed. Each change is one transaction with its audit
 * row and its event for head office, whose notes go without the customer's name, phone or e-mail.
 */
export class FollowUpService implements Extension {
  readonly name = 'follow-ups';
  private storeInstance: SqliteFollowUpStore | undefined;
  private readonly customers: SurveyCustomers;

  constructor(
    private readonly ctx: ExtensionContext,
    private readonly workshop: FollowUpWorkshop,
    members: SurveyMembers,
  ) {
    this.customers = new SurveyCustomers(members);
  }

  private get store(): SqliteFollowUpStore {
    if (!this.storeInstance) throw new NotReady('the follow-up calls are');
    return this.storeInstance;
  }

  async start(): Promise<void> {
    this.storeInstance = new SqliteFollowUpStore(this.ctx.db);
  }

  async stop(): Promise<void> {
    this.storeInstance = undefined;
  }

  registerRoutes(app: FastifyInstance): void {
    registerFollowUpRoutes(app, this);
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
        customer: this.customers.forDesk(o.customerRef),
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
      customer: this.customers.forDesk(f.customerRef),
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
      const relayedNote = note === null ? null : this.customers.relayed(note, order.customerRef);
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
      const order = this.store.orderById(flag.orderId);
      const relayedNote = note ? this.customers.relayed(note, order?.customerRef ?? null) : null;
      this.ctx.identity.audit.record(
        actor,
        () =>
          this.store.closeFlag(id, at, actor.actor, note ?? null, followUpEntry(flag.orderId, { order: order?.no ?? '', kind: 'flag-closed', releasedAt: order?.releasedAt ?? null, ...dmsIdsOf(order?.customerRef ?? null), note: relayedNote, at, by: actor.actor })),
        () => ({ action: 'follow-up.close-flag', target: `order:${order?.no ?? flag.orderId}`, detail: { flag: id } }),
      );
      return { id, closedAt: at };
    });
  }
}
