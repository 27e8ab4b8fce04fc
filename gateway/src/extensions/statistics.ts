import type { FastifyInstance } from 'fastify';
import { businessDay } from '../domain/queue/business-day.js';
import { addSums, emptySums, figuresOf, hourRows, type QueueSums } from '../domain/stats/queue-sums.js';
import { ticketFacts } from '../domain/stats/ticket-facts.js';
import { registerStatsRoutes, type StatsApi } from '../http/stats-routes.js';
import type { QueueStatsAnswer, QueueStatsQuery, StatsGrouping } from '../protocol/stats.js';
import { StatsStore } from '../store/stats-store.js';
import type { Extension, ExtensionContext } from './extension.js';
import { NotReady } from './not-ready.js';

const DAY_MS = 86_400_000;
/** Closed days are rolled up at start and then once an hour (a day closes at the day-start hour). */
const ROLL_UP_EVERY_MS = 3_600_000;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const addDays = (day: string, n: number) => new Date(Date.parse(day) + n * DAY_MS).toISOString().slice(0, 10);

function* daysFrom(from: string, to: string): Generator<string> {
  for (let day = from; day <= to; day = addDays(day, 1)) yield day;
}

/**
 * The manager's statistics. Each business day, once over, is folded from its queue events into
 * rows per hour, service and desk (before the events' retention removes them), so a year is read
 * in one range scan; today, and a day not rolled up yet, are folded live from the events.
 */
export class Statistics implements Extension, StatsApi {
  readonly name = 'statistics';
  private store: StatsStore | undefined;
  private timer: NodeJS.Timeout | undefined;
  private rolling: Promise<void> | undefined;
  private stopped = false;

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
  }

  private today(): string {
    const { config, now } = this.ctx;
    return businessDay(now(), config.store.timeZone, config.queue.dayStartHour);
  }

  /** Rolls up every closed day since the oldest kept event that is not rolled up yet, a day per turn. */
  rollUp(): Promise<void> {
    this.rolling ??= this.rollClosedDays()
      .catch((err: unknown) => this.ctx.log.error({ err }, 'statistics: roll-up failed; today is read live and it is tried again in an hour'))
      .finally(() => (this.rolling = undefined));
    return this.rolling;
  }

  private async rollClosedDays(): Promise<void> {
    const store = this.store;
    const oldest = store?.oldestEventAt();
    if (!store || !oldest) return;
    const { timeZone } = this.ctx.config.store;
    const first = businessDay(new Date(oldest), timeZone, this.ctx.config.queue.dayStartHour);
    const yesterday = addDays(this.today(), -1);
    const rolled = store.rolledDays(first, yesterday);
    for (const day of daysFrom(first, yesterday)) {
      if (this.stopped) return;
      if (rolled.has(day)) continue;
      store.saveDay(day, hourRows(this.factsOf(store, day)), this.ctx.now());
      await nextTurn();
    }
  }

  private factsOf(store: StatsStore, day: string) {
    const events = store.dayEvents(day);
    return ticketFacts(events, day, this.ctx.config.store.timeZone, store.modeBefore(events, addDays(day, 2)));
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

    // Days of the period not rolled up: today, or days the roll-up has not reached.
    const today = this.today();
    const oldest = store.oldestEventAt();
    const firstKept = oldest ? businessDay(new Date(oldest), this.ctx.config.store.timeZone, this.ctx.config.queue.dayStartHour) : today;
    const last = to < today ? to : today;
    const rolled = store.rolledDays(from, last);
    const liveDays = [...daysFrom(from > firstKept ? from : firstKept, last)].filter((day) => !rolled.has(day));
    for (const day of liveDays) {
      for (const row of hourRows(this.factsOf(store, day))) add(keyOf(row, by), row);
    }

    const keys = [...groups.keys()].sort(by === 'hour' ? (a, b) => Number(a) - Number(b) : undefined);
    const total = emptySums();
    for (const sums of groups.values()) addSums(total, sums);
    return {
      from,
      to,
      by,
      rows: keys.map((key) => figuresOf(key, groups.get(key)!)),
      total: figuresOf('total', total),
      liveDays,
    };
  }
}

function keyOf(row: { businessDay: string; hour: number; service: string; desk: string }, by: StatsGrouping): string {
  switch (by) {
    case 'day':
      return row.businessDay;
    case 'hour':
      return String(row.hour);
    case 'service':
      return row.service;
    case 'desk':
      return row.desk;
  }
}
