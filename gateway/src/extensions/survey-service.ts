import type { FastifyInstance } from 'fastify';
import { SurveyError, addDays, localMidnight, surveyState } from '../domain/survey/index.js';
import { maskPlate, normalizePlate, type RepairOrder, type WorkshopEngine } from '../domain/workshop/index.js';
import { registerSurveyRoutes } from '../http/survey-routes.js';
import type { KioskSurvey, KioskSurveyAnswerRequest, PhoneSurvey, SurveyAnswerRequest, SurveyAnswered, SurveyList, SurveyQuery, SurveyVia } from '../protocol/index.js';
import { dmsIdsOf, surveyAnswerEntry } from '../relay/outbound-events.js';
import type { Actor } from '../store/audit-log.js';
import { SqliteSurveyStore } from '../store/survey-store.js';
import type { Extension, ExtensionContext } from './extension.js';
import { NotReady } from '../domain/not-ready.js';
import { SurveyCustomers, type SurveyMembers } from './survey-customers.js';

/** Answers the manager's list shows at most (the figures count them all). */
const ANSWERS_SHOWN = 200;

/** What the survey needs of the workshop: orders by number and by status token. */
export interface SurveyWorkshop {
  readonly engine: Pick<WorkshopEngine, 'order' | 'orderByToken'>;
}

/**
 * The customer's one-tap survey once the car is released: on the phone's status page (by the
 * order's token) and at the kiosk after a card tap; one answer per order. Each answer is one
 * transaction with its audit row and its event for head office, whose comment goes without the
 * customer's name, phone or e-mail.
 */
export class SurveyService implements Extension {
  readonly name = 'survey';
  private storeInstance: SqliteSurveyStore | undefined;
  private readonly customers: SurveyCustomers;

  constructor(
    private readonly ctx: ExtensionContext,
    private readonly workshop: SurveyWorkshop,
    private readonly members: SurveyMembers,
  ) {
    this.customers = new SurveyCustomers(members);
  }

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
        comment: comment === null ? null : this.customers.relayed(comment, customerRef),
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

  /** The normalized plate of the vehicle whose card made this kiosk session. */
  private tappedPlate(sessionId: string, stations: readonly string[] | undefined): string | undefined {
    const session = this.members.session(sessionId, 'kiosk', stations);
    const vehicle = this.members.store.byVehicle(session.vehicleId)?.vehicle;
    return vehicle ? normalizePlate(vehicle.plate) : undefined;
  }
}
