import { TOPIC_ROOT, WorkshopBoard, WorkshopBoardChange } from '@forecourt/gateway/protocol';
import type { Bus } from '@forecourt/screen-lib/bus.svelte.js';
import { applyChanged, keepUnchanged } from './rows.js';

/** The gateway republishes at least every 30 s: three missed updates mean the data has stopped. */
export const STALE_AFTER_S = 90;
/** Only staleness and the day change need the clock: a coarse tick is plenty. */
const TICK_MS = 5000;
/** Changes that come before the first board are kept until it arrives, a few at most. */
const EARLY_CHANGES = 20;

/**
 * The workshop board as this screen knows it: the retained snapshot, brought up to date by the
 * changes that follow it (each newer than the board, by revision), and whether it has gone stale.
 * Staleness is judged by the screen's own clock at reception, so a TV whose clock is off still
 * tells the truth.
 */
export class WorkshopFeed {
  /** Raw: replaced as a whole on every update, never changed in place (no deep proxies to pay for). */
  board = $state.raw<WorkshopBoard | undefined>(undefined);
  receivedAt = $state<Date | undefined>(undefined);
  now = $state(Date.now());
  private readonly staleAfterMs: number = STALE_AFTER_S * 1000;
  private readonly timer: ReturnType<typeof setInterval>;
  private early: WorkshopBoardChange[] = [];

  readonly stale = $derived(this.receivedAt !== undefined && this.now - this.receivedAt.getTime() > this.staleAfterMs);

  constructor(bus: Bus, staleAfterS = STALE_AFTER_S) {
    this.staleAfterMs = staleAfterS * 1000;
    bus.on(`${TOPIC_ROOT}/+/workshop/board`, WorkshopBoard, (_t, board) => {
      this.received();
      // A snapshot older than what the changes already brought (a retained one after a reconnect) is old news.
      if (this.board && board.rev < this.board.rev) return;
      let next: WorkshopBoard = { ...board, orders: keepUnchanged(this.board?.orders ?? [], board.orders) };
      for (const change of this.early.filter((c) => c.rev > board.rev && c.day === board.day)) next = applyTo(next, change);
      this.early = [];
      this.board = next;
    });
    bus.on(`${TOPIC_ROOT}/+/workshop/board/changes`, WorkshopBoardChange, (_t, change) => {
      this.received();
      if (!this.board) this.early = [...this.early, change].slice(-EARLY_CHANGES);
      else if (change.rev > this.board.rev && change.day === this.board.day) this.board = applyTo(this.board, change);
    });
    this.timer = setInterval(() => (this.now = Date.now()), Math.min(TICK_MS, this.staleAfterMs / 4));
  }

  dispose(): void {
    clearInterval(this.timer);
  }

  private received(): void {
    // Replaced, never mutated: a plain Date is enough.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    this.receivedAt = new Date();
    this.now = Date.now();
  }
}

function applyTo(board: WorkshopBoard, change: WorkshopBoardChange): WorkshopBoard {
  return { ...board, rev: change.rev, at: change.at, orders: applyChanged(board.orders, change.orders) };
}
