import type { SurveyTag, SurveyVia } from '../protocol/survey.js';
import type { Db } from './database.js';
import { Outbox, type OutboxEntry } from './outbox.js';
import { writeTransaction } from './write-transaction.js';

/** A stored survey answer (migration 10). */
export interface StoredAnswer {
  orderId: string;
  orderNo: string;
  releasedAt: string;
  advisor: string;
  rating: number;
  tags: SurveyTag[];
  comment: string | null;
  via: SurveyVia;
  answeredAt: string;
}

/** A released order as the survey and the follow-up list need it, read from the order's JSON. */
export interface ReleasedOrder {
  id: string;
  no: string;
  plate: string;
  model: string;
  advisor: string;
  customerRef: string | null;
  releasedAt: string;
}

export interface AnswerFilter {
  /** Inclusive lower, exclusive upper bound on answered_at (UTC instants). */
  fromAt?: string | undefined;
  toAt?: string | undefined;
  rating?: number | undefined;
  tag?: SurveyTag | undefined;
  advisor?: string | undefined;
}

/** The columns of a ReleasedOrder from `workshop_order o`. */
export const RELEASED_COLUMNS = `o.id, o.no, o.plate, json_extract(o.data, '$.model') AS model, json_extract(o.data, '$.advisor') AS advisor,
  json_extract(o.data, '$.customerRef') AS customerRef, json_extract(o.data, '$.releasedAt') AS releasedAt`;

/**
 * Survey answers in SQLite (migration 10). An answer also appends its event for head office to
 * the outbox, in the caller's transaction.
 */
export class SqliteSurveyStore {
  private readonly stmt;
  private readonly writeLocked;

  constructor(
    private readonly db: Db,
    private readonly outbox = new Outbox(db),
  ) {
    this.writeLocked = writeTransaction(db);
    this.stmt = {
      insertAnswer: db.prepare(
        `INSERT INTO survey_answer (order_id, order_no, released_at, advisor, rating, tags, comment, via, answered_at)
         VALUES (@orderId, @orderNo, @releasedAt, @advisor, @rating, @tags, @comment, @via, @answeredAt)
         ON CONFLICT (order_id) DO NOTHING`,
      ),
      answerOf: db.prepare('SELECT answered_at FROM survey_answer WHERE order_id = ?').pluck(),
      // The latest released order of a plate that has no answer yet, released since `since`.
      unanswered: db.prepare(
        `SELECT ${RELEASED_COLUMNS} FROM workshop_order o
         WHERE o.plate = @plate AND o.stage = 'released' AND json_extract(o.data, '$.releasedAt') >= @since
           AND NOT EXISTS (SELECT 1 FROM survey_answer a WHERE a.order_id = o.id)
         ORDER BY json_extract(o.data, '$.releasedAt') DESC LIMIT 1`,
      ),
    };
  }

  /** Runs `fn` with the write lock taken first, so what it read stays true until it commits. */
  transaction<T>(fn: () => T): T {
    return this.writeLocked(fn);
  }

  /** Stores the answer and its event; false when the order already has one (nothing written). */
  insertAnswer(answer: StoredAnswer, event: OutboxEntry): boolean {
    const { changes } = this.stmt.insertAnswer.run({ ...answer, tags: JSON.stringify(answer.tags) });
    if (changes === 0) return false;
    this.outbox.append(event);
    return true;
  }

  answeredAt(orderId: string): string | undefined {
    return this.stmt.answerOf.get(orderId) as string | undefined;
  }

  unansweredOfPlate(plate: string, since: string): ReleasedOrder | undefined {
    return this.stmt.unanswered.get({ plate, since }) as ReleasedOrder | undefined;
  }

  /** The newest answers matching `filter` (at most `limit`), and count, sum and counts per rating of all that match. */
  answers(filter: AnswerFilter, limit: number): { rows: (StoredAnswer & { plate: string })[]; count: number; sum: number; byRating: number[] } {
    const where: string[] = [];
    if (filter.fromAt) where.push('a.answered_at >= @fromAt');
    if (filter.toAt) where.push('a.answered_at < @toAt');
    if (filter.rating) where.push('a.rating = @rating');
    if (filter.tag) where.push('EXISTS (SELECT 1 FROM json_each(a.tags) t WHERE t.value = @tag)');
    if (filter.advisor) where.push('a.advisor = @advisor');
    const sql = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const params = Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined));
    const rows = this.db
      .prepare(
        `SELECT a.order_id AS orderId, a.order_no AS orderNo, a.released_at AS releasedAt, a.advisor, a.rating, a.tags, a.comment, a.via,
           a.answered_at AS answeredAt, COALESCE(o.plate, '') AS plate
         FROM survey_answer a LEFT JOIN workshop_order o ON o.id = a.order_id ${sql} ORDER BY a.answered_at DESC LIMIT @limit`,
      )
      .all({ ...params, limit }) as (Omit<StoredAnswer, 'tags'> & { tags: string; plate: string })[];
    const counts = this.db.prepare(`SELECT a.rating, COUNT(*) AS n FROM survey_answer a ${sql} GROUP BY a.rating`).all(params) as { rating: number; n: number }[];
    const byRating = [1, 2, 3, 4, 5].map((r) => counts.find((c) => c.rating === r)?.n ?? 0);
    return {
      rows: rows.map((r) => ({ ...r, tags: JSON.parse(r.tags) as SurveyTag[] })),
      count: byRating.reduce((s, n) => s + n, 0),
      sum: byRating.reduce((s, n, i) => s + n * (i + 1), 0),
      byRating,
    };
  }
}
