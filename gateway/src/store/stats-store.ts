import type { Statement } from 'better-sqlite3';
import type { OrderStage, QueueModeName, StatsGrouping } from '../protocol/index.js';
import type { ModeState } from '../domain/queue/store.js';
import type { QueueEvent } from '../domain/queue/events.js';
import { BUCKET_COUNT } from '../domain/stats/duration-buckets.js';
import { emptySums, type QueueCutRow, type QueueSums, type StatsCut } from '../domain/stats/queue-sums.js';
import type { WorkshopSums } from '../domain/stats/workshop-sums.js';
import type { RepairOrder } from '../domain/workshop/order.js';
import type { Db } from './database.js';
import { MODE_KEY } from './queue-store.js';

const buckets = (prefix: string) => Array.from({ length: BUCKET_COUNT }, (_, i) => `${prefix}${i}`);
const W = buckets('w');
const S = buckets('s');
const COUNTS = ['issued', 'issued_peak', 'served', 'no_shows', 'walk_aways', 'unfinished', 'transfers', 'wait_n', 'wait_sum_s', 'service_n', 'service_sum_s', 'est_n', 'est_abs_err_s', 'est_err_s', 'est_in_range'] as const;
/** Field of each counted column in QueueSums. */
const FIELD: Record<(typeof COUNTS)[number], Exclude<keyof QueueSums, 'waitBuckets' | 'serviceBuckets'>> = {
  issued: 'issued', issued_peak: 'issuedPeak', served: 'served', no_shows: 'noShows', walk_aways: 'walkAways', unfinished: 'unfinished',
  transfers: 'transfers', wait_n: 'waitN', wait_sum_s: 'waitSumS', service_n: 'serviceN', service_sum_s: 'serviceSumS', est_n: 'estN',
  est_abs_err_s: 'estAbsErrS', est_err_s: 'estErrS', est_in_range: 'estInRange',
};
/** Which stored cut answers each grouping, and by which column: a day's total is its services' sum. */
const GROUPED: Record<StatsGrouping, { cut: StatsCut; column: string }> = {
  day: { cut: 'service', column: 'business_day' },
  hour: { cut: 'hour', column: 'key' },
  service: { cut: 'service', column: 'key' },
  desk: { cut: 'desk', column: 'key' },
};

type SumRow = Record<string, number> & { key: string | number };

function sumsOf(row: SumRow): QueueSums {
  const sums = emptySums();
  for (const column of COUNTS) sums[FIELD[column]] = row[column] ?? 0;
  sums.waitBuckets = W.map((c) => row[c] ?? 0);
  sums.serviceBuckets = S.map((c) => row[c] ?? 0);
  return sums;
}

export interface StoredQueueEvent {
  seq: number;
  event: QueueEvent;
}

/** The statistics' tables (migration 12): the rolled-up days and the queue events they come from. */
export class StatsStore {
  private readonly insertRow;
  private readonly insertDay;
  private readonly rolledStmt;
  private readonly eventsBetween;
  private readonly firstEventAt;
  private readonly modeAfter;
  private readonly modeStmt;
  private readonly sumStmts = new Map<StatsGrouping, Statement<[string, string, string]>>();
  private readonly saveDayTx;
  private readonly workshopDaysStmt;
  private readonly releasedStmt;
  private readonly inProgressStmt;

  constructor(db: Db) {
    const columns = ['cut', 'business_day', 'key', ...COUNTS, ...W, ...S];
    this.insertRow = db.prepare(`INSERT INTO stats_queue_cut (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
    this.insertDay = db.prepare('INSERT INTO stats_day (business_day, rolled_at, tickets, workshop) VALUES (?, ?, ?, ?)');
    this.workshopDaysStmt = db.prepare("SELECT business_day AS day, workshop FROM stats_day WHERE business_day BETWEEN ? AND ? AND workshop != '{}' ORDER BY business_day");
    this.releasedStmt = db.prepare("SELECT data FROM workshop_order WHERE stage = 'released' AND released_day = ?").pluck();
    this.inProgressStmt = db.prepare("SELECT stage, COUNT(*) AS orders FROM workshop_order WHERE stage != 'released' GROUP BY stage");
    this.rolledStmt = db.prepare('SELECT business_day FROM stats_day WHERE business_day BETWEEN ? AND ?').pluck();
    this.eventsBetween = db.prepare('SELECT seq, payload FROM queue_event WHERE at >= ? AND at < ? AND seq > ? ORDER BY seq');
    this.firstEventAt = db.prepare('SELECT MIN(at) FROM (SELECT MIN(at) AS at FROM queue_event UNION ALL SELECT MIN(created_at) FROM workshop_order)').pluck();
    this.modeAfter = db.prepare("SELECT payload FROM queue_event WHERE at >= ? AND type = 'mode.changed' ORDER BY at LIMIT 1").pluck();
    this.modeStmt = db.prepare('SELECT value FROM meta WHERE key = ?').pluck();
    const sums = [...COUNTS, ...W, ...S].map((c) => `SUM(${c}) AS ${c}`).join(', ');
    for (const [by, { column }] of Object.entries(GROUPED) as [StatsGrouping, (typeof GROUPED)[StatsGrouping]][]) {
      this.sumStmts.set(
        by,
        db.prepare<[string, string, string]>(`SELECT ${column} AS key, ${sums} FROM stats_queue_cut WHERE cut = ? AND business_day BETWEEN ? AND ? GROUP BY ${column} ORDER BY ${column}`),
      );
    }
    this.saveDayTx = db.transaction((day: string, rows: readonly QueueCutRow[], at: string, tickets: number, workshop: string) => {
      for (const row of rows) {
        this.insertRow.run(row.cut, row.businessDay, row.key, ...COUNTS.map((c) => row[FIELD[c]]), ...row.waitBuckets, ...row.serviceBuckets);
      }
      this.insertDay.run(day, at, tickets, workshop);
    });
  }

  /** Queue events committed at `from` or later, before `until`, after `afterSeq`, in commit order. */
  events(from: Date, until: Date, afterSeq = 0): StoredQueueEvent[] {
    const rows = this.eventsBetween.all(from.toISOString(), until.toISOString(), afterSeq) as { seq: number; payload: string }[];
    return rows.map((row) => ({ seq: row.seq, event: JSON.parse(row.payload) as QueueEvent }));
  }

  /** The mode before `events`: what the first mode change says it left, or the next one's, or today's. */
  modeBefore(events: readonly QueueEvent[], after: Date): QueueModeName {
    const inWindow = events.find((e) => e.type === 'mode.changed');
    if (inWindow?.type === 'mode.changed') return inWindow.previous;
    const later = this.modeAfter.get(after.toISOString()) as string | undefined;
    if (later) {
      const event = JSON.parse(later) as QueueEvent;
      if (event.type === 'mode.changed') return event.previous;
    }
    const stored = this.modeStmt.get(MODE_KEY) as string | undefined;
    return stored ? (JSON.parse(stored) as ModeState).mode : 'normal';
  }

  /** When the oldest queue event still kept, or the oldest repair order, happened (null on a new store). */
  oldestEventAt(): string | null {
    return (this.firstEventAt.get() as string | null) ?? null;
  }

  rolledDays(from: string, to: string): Set<string> {
    return new Set(this.rolledStmt.all(from, to) as string[]);
  }

  /** A closed day's rows, once: a second roll-up of the same day is refused by the primary key. */
  saveDay(businessDay: string, rows: readonly QueueCutRow[], workshop: WorkshopSums | null, at: Date): void {
    const tickets = rows.reduce((n, r) => n + (r.cut === 'service' ? r.issued : 0), 0);
    this.saveDayTx(businessDay, rows, at.toISOString(), tickets, workshop ? JSON.stringify(workshop) : '{}');
  }

  /** Orders released on a business day (and not back since). */
  releasedOrders(businessDay: string): RepairOrder[] {
    return (this.releasedStmt.all(businessDay) as string[]).map((data) => JSON.parse(data) as RepairOrder);
  }

  /** The workshop sums of the rolled days from–to that had releases. */
  workshopDays(from: string, to: string): { day: string; sums: WorkshopSums }[] {
    return (this.workshopDaysStmt.all(from, to) as { day: string; workshop: string }[]).map((r) => ({ day: r.day, sums: JSON.parse(r.workshop) as WorkshopSums }));
  }

  /** Orders in the workshop now, per stage. */
  inProgress(): { stage: OrderStage; orders: number }[] {
    return this.inProgressStmt.all() as { stage: OrderStage; orders: number }[];
  }

  /** The stored days from–to summed per day, hour, service or desk. */
  sums(from: string, to: string, by: StatsGrouping): { key: string; sums: QueueSums }[] {
    const stmt = this.sumStmts.get(by);
    if (!stmt) throw new Error(`no grouping ${by}`);
    return (stmt.all(GROUPED[by].cut, from, to) as SumRow[]).map((row) => ({ key: String(row.key), sums: sumsOf(row) }));
  }
}
