import type { Db } from './database.js';

/** How long a first answer is kept for its retries: far longer than any screen keeps retrying. */
const KEEP_MS = 24 * 60 * 60_000;
const PRUNE_EVERY_MS = 60_000;

/** What `once` did: acted now (the result, for announcing), or found the first answer. */
export type Once<R, A> = { replayed: false; result: R; answer: A } | { replayed: true; target: string; answer: A };

/**
 * The first answers to commands sent with a request id, per principal (migration 9): a retry with
 * the same id gets that answer instead of acting twice. The answer is written in the same
 * transaction as the change it reports, so a crash keeps both or neither.
 */
export class RequestLedger {
  private readonly find;
  private readonly insert;
  private readonly prune;
  private readonly inTransaction;
  private prunedAt = -Infinity;

  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
  ) {
    this.find = db.prepare('SELECT target, answer FROM request_answer WHERE principal = ? AND request_id = ?');
    this.insert = db.prepare('INSERT INTO request_answer (principal, request_id, target, answer, created_at) VALUES (?, ?, ?, ?, ?)');
    this.prune = db.prepare('DELETE FROM request_answer WHERE created_at < ?');
    this.inTransaction = db.transaction((fn: () => unknown) => fn());
  }

  /**
   * Runs `act` (which changes something and returns its result and answer) unless this principal
   * already sent `requestId`: then the stored answer and the target it was sent to.
   */
  once<R, A>(principal: string, requestId: string, target: string, act: () => { result: R; answer: A }): Once<R, A> {
    return this.inTransaction(() => {
      const first = this.find.get(principal, requestId) as { target: string; answer: string } | undefined;
      if (first) return { replayed: true, target: first.target, answer: JSON.parse(first.answer) as A };
      const { result, answer } = act();
      const at = this.now();
      this.insert.run(principal, requestId, target, JSON.stringify(answer), at.toISOString());
      this.pruneNowAndThen(at);
      return { replayed: false, result, answer };
    }) as Once<R, A>;
  }

  private pruneNowAndThen(at: Date): void {
    if (at.getTime() - this.prunedAt < PRUNE_EVERY_MS) return;
    this.prunedAt = at.getTime();
    this.prune.run(new Date(at.getTime() - KEEP_MS).toISOString());
  }
}
