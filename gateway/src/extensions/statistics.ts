import type { FastifyInstance } from 'fastify';
import { businessDay, businessDayStart } from '../domain/queue/business-day.js';
import { addSums, cutRows, emptySums, figuresOf, type QueueCutRow, type QueueSums } from '../domain/stats/queue-sums.js';
import { TicketFold } from '../domain/stats/ticket-facts.js';
import { addReleasedOrder, addWorkshopSums, emptyWorkshopSums, workshopFigures, type WorkshopSums } from '../domain/stats/workshop-sums.js';
import { registerStatsRoutes, type StatsApi } from '../http/stats-routes.js';
import type { QueueStatsAnswer, QueueStatsQuery, StatsGrouping, WorkshopStatsAnswer, WorkshopStatsQuery } from '../protocol/stats.js';
import { StatsStore } from '../store/stats-store.js';
import { ORDER_STAGES, type OrderStage } from '../protocol/index.js';
import type { Extension, ExtensionContext } from './extension.js';
import { NotReady } from '../domain/not-ready.js';

const DAY_MS = 86_400_000;
/** Closed days are rolled up at start and then once an hour (a day closes at the day-start hour). */
const ROLL_UP_EVERY_MS = 3_600_000;
/** How long after its end a day's tickets still count changes (a desk finishing last night's customer). */
const LATE_ACTIONS_MS = 6 * 3_600_000;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const addDays = (day: string, n: number) => new Date(Date.parse(day) + n * DAY_MS).toISOString().slice(0, 10);

function* daysFrom(from: string, to: string): Generator<string> {
  for (let day = from; day <= to; day = addDays(day, 1)) yield day;
}

/** Which stored cut a grouping reads, and a row's key in it. */
function grouped(row: QueueCutRow, by: StatsGrouping): string | undefined {
  if (by === 'day') return row.cut === 'service' ? row.businessDay : undefined;
  return row.cut === by ? row.key : undefined;
}

/**
 * The manager's statistics. Each business day, once over, is folded from its queue events into
 * rows per hour, service and desk (before the events' retention removes them), so a year is read
 * in one range scan; today is folded live, once and then event by event as the manager asks.
 */
export class Statistics implements Extension, StatsApi {
  readonly name = 'statistics';
  private store: StatsStore | undefined;
  private timer: NodeJS.Timeout | undefined;
  private rolling: Promise<void> | undefined;
  private stopped = false;
  /** Today's fold and the last event it has seen. */
  private live: { fold: TicketFold; seq: number } | undefined;

  constructor(private readonly ctx: ExtensionContext) {}

  registerRoutes(app: FastifyInstance): void {
    registerStatsRoutes(app, this);
  }

  async start(): Promise<void> {
    this.store = new StatsStore(this.ctx.db);
    this.stopped = false;
    await this.rollUp();
    this.timer = setInterval(() => void this.rollUp(), ROLL_UP_EVERY_MS).unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.rolling;
    this.live = undefined;
  }

  private dayOf(at: Date): string {
    return businessDay(at, this.ctx.config.store.timeZone, this.ctx.config.queue.dayStartHour);
  }

  /** From the day's start to the next day's, and the late actions after. */
  private window(day: string): { from: Date; until: Date } {
    const { timeZone } = this.ctx.config.store;
    const { dayStartHour } = this.ctx.config.queue;
    return { from: businessDayStart(day, timeZone, dayStartHour), until: new Date(businessDayStart(addDays(day, 1), timeZone, dayStartHour).getTime() + LATE_ACTIONS_MS) };
  }

  /** Rolls up every closed day since the oldest kept event that is not rolled up yet, a day per turn. */
  rollUp(): Promise<void> {
    this.rolling ??= this.rollClosedDays()
      .catch((err: unknown) => this.ctx.log.error({ err }, 'statistics: roll-up failed; the days are read live until it works'))
      .finally(() => (this.rolling = undefined));
    return this.rolling;
  }

  private async rollClosedDays(): Promise<void> {
    const store = this.store;
    const oldest = store?.oldestEventAt();
    if (!store || !oldest) return;
    const first = this.dayOf(new Date(oldest));
    const yesterday = addDays(this.dayOf(this.ctx.now()), -1);
    const rolled = store.rolledDays(first, yesterday);
    for (const day of daysFrom(first, yesterday)) {
      if (this.stopped) return;
      if (rolled.has(day)) continue;
      store.saveDay(day, cutRows(this.fold(store, day).fold.facts()), this.released(store, day), this.ctx.now());
      await nextTurn();
    }
  }

  private fold(store: StatsStore, day: string): { fold: TicketFold; seq: number } {
    const { from, until } = this.window(day);
    const stored = store.events(from, until);
    const fold = new TicketFold(day, this.ctx.config.store.timeZone, store.modeBefore(stored.map((s) => s.event), until));
    for (const { event } of stored) fold.add(event);
    return { fold, seq: stored.at(-1)?.seq ?? 0 };
  }

  /** The workshop's sums over the orders released on a day; null without any. */
  private released(store: StatsStore, day: string): WorkshopSums | null {
    const orders = store.releasedOrders(day);
    if (orders.length === 0) return null;
    const sums = emptyWorkshopSums();
    for (const order of orders) addReleasedOrder(sums, order);
    return sums;
  }

  /** Today's facts: folded once, then only the events since. */
  private today(store: StatsStore, day: string): TicketFold {
    if (this.live?.fold.businessDay !== day) {
      this.live = this.fold(store, day);
      return this.live.fold;
    }
    const { from, until } = this.window(day);
    for (const { seq, event } of store.events(from, until, this.live.seq)) {
      this.live.fold.add(event);
      this.live.seq = seq;
    }
    return this.live.fold;
  }

  queue({ from, to, by }: QueueStatsQuery): QueueStatsAnswer {
    const store = this.store;
    if (!store) throw new NotReady('the statistics are');
    const groups = new Map<string, QueueSums>();
    const add = (key: string, sums: QueueSums) => {
      const group = groups.get(key);
      if (group) addSums(group, sums);
      else groups.set(key, addSums(emptySums(), sums));
    };
    for (const { key, sums } of store.sums(from, to, by)) add(key, sums);

    const { today, liveDays } = this.unrolled(store, from, to);
    for (const day of liveDays) {
      const facts = (day === today ? this.today(store, day) : this.fold(store, day).fold).facts();
      for (const row of cutRows(facts)) {
        const key = grouped(row, by);
        if (key !== undefined) add(key, row);
      }
    }

    const keys = [...groups.keys()].sort(by === 'hour' ? (a, b) => Number(a) - Number(b) : undefined);
    const total = emptySums();
    for (const sums of groups.values()) addSums(total, sums);
    return { from, to, by, rows: keys.map((key) => figuresOf(key, groups.get(key)!)), total: figuresOf('total', total), today, liveDays };
  }

  /** Days of a period not rolled up (today, or days the roll-up has not reached), from the oldest kept. */
  private unrolled(store: StatsStore, from: string, to: string): { today: string; liveDays: string[] } {
    const today = this.dayOf(this.ctx.now());
    const oldest = store.oldestEventAt();
    const firstKept = oldest ? this.dayOf(new Date(oldest)) : today;
    const last = to < today ? to : today;
    const rolled = store.rolledDays(from, last);
    return { today, liveDays: [...daysFrom(from > firstKept ? from : firstKept, last)].filter((day) => !rolled.has(day)) };
  }

  workshop({ from, to }: WorkshopStatsQuery): WorkshopStatsAnswer {
    const store = this.store;
    if (!store) throw new NotReady('the statistics are');
    const days = store.workshopDays(from, to);
    const { today, liveDays } = this.unrolled(store, from, to);
    for (const day of liveDays) {
      const sums = this.released(store, day);
      if (sums) days.push({ day, sums });
    }
    days.sort((a, b) => a.day.localeCompare(b.day));
    const total = emptyWorkshopSums();
    for (const { sums } of days) addWorkshopSums(total, sums);
    const order = (stage: string) => ORDER_STAGES.indexOf(stage as OrderStage);
    return {
      from,
      to,
      rows: days.map(({ day, sums }) => workshopFigures(day, sums)),
      total: workshopFigures('total', total),
      inProgress: store.inProgress().sort((a, b) => order(a.stage) - order(b.stage)),
      today,
    };
  }
}
