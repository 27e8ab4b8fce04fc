/**
 * What each desk is doing, learnt from the queue's events: whether it is open now, and how long
 * it takes per customer while it has customers ("cycle": from one call to its next, counting
 * only the time the desk was busy or had someone waiting for it — an idle desk with an empty
 * queue is not slow, it has nothing to do).
 *
 * Nobody tells the queue that a desk opened or closed, so it is inferred:
 * - a desk is open while it holds a ticket, and from its first action of the day on;
 * - a desk that stays idle while customers wait for it, for longer than `closeAfterMs` (two of
 *   its own cycles: an open desk would have called), counts as closed, and so does a desk idle
 *   for half an hour whatever the queue;
 * - its next action opens it again.
 * The time after it counted as closed is not part of its cycle, so a lunch break does not make
 * the desk look slow.
 */
import type { DeskConfig } from './services.js';

/** A desk idle this long is taken as closed even when nobody waited for it. */
export const IDLE_CLOSED_MS = 30 * 60_000;

/** One desk's time per customer, ending with a call: the service of the ticket it had called before. */
export interface CycleSample {
  desk: string;
  service: string;
  ms: number;
}

interface DeskState {
  config: DeskConfig;
  /** Tickets called to or served at the desk now. */
  atDesk: number;
  /** Its latest call, recall, start, finish or no-show today; null before its first. */
  lastActionAt: number | null;
  /** Service of its latest call: the customer whose cycle its next call ends. */
  lastCallService: string | null;
  /** Busy-or-awaited time since its latest call. */
  sinceCallMs: number;
  /** Since when it has been idle with customers waiting for it; null when not. */
  idleAwaitedSince: number | null;
}

export class DeskActivity {
  private readonly desks = new Map<string, DeskState>();
  private at: number | null = null;

  /**
   * `awaited(desk)`: whether a ticket the desk serves is waiting; `closeAfterMs(desk)`: how long it
   * may stay idle with customers waiting before it counts as closed.
   */
  constructor(
    desks: readonly DeskConfig[],
    private readonly awaited: (desk: DeskConfig) => boolean,
    private readonly closeAfterMs: (desk: string) => number,
  ) {
    for (const config of desks) {
      this.desks.set(config.id, { config, atDesk: 0, lastActionAt: null, lastCallService: null, sinceCallMs: 0, idleAwaitedSince: null });
    }
  }

  /** Counts the time up to `now` in each desk's cycle; call before applying the event at `now`. */
  advance(now: number): void {
    const from = this.at ?? now;
    this.at = now;
    const elapsed = now - from;
    if (elapsed <= 0) return;
    for (const desk of this.desks.values()) {
      if (desk.lastActionAt === null) continue;
      if (desk.atDesk > 0) {
        desk.sinceCallMs += elapsed;
      } else if (desk.idleAwaitedSince !== null) {
        const left = this.closeAfterMs(desk.config.id) - (from - desk.idleAwaitedSince);
        desk.sinceCallMs += Math.max(0, Math.min(elapsed, left));
      }
    }
  }

  /** Notes who is idle with customers waiting; call after applying the event at `now`. */
  settle(now: number): void {
    for (const desk of this.desks.values()) {
      const idleAwaited = desk.lastActionAt !== null && desk.atDesk === 0 && this.awaited(desk.config);
      if (!idleAwaited) desk.idleAwaitedSince = null;
      else desk.idleAwaitedSince ??= now;
    }
  }

  /** The desk called a ticket of `service`: ends the cycle of its previous call, if it had one today. */
  called(deskId: string, service: string, now: number): CycleSample | undefined {
    const desk = this.desks.get(deskId);
    if (!desk) return undefined;
    const sample = desk.lastCallService === null ? undefined : { desk: deskId, service: desk.lastCallService, ms: desk.sinceCallMs };
    desk.lastCallService = service;
    desk.sinceCallMs = 0;
    desk.atDesk += 1;
    desk.lastActionAt = now;
    return sample;
  }

  /** A ticket left the desk: finished, no-show, or transferred. */
  released(deskId: string, now: number): void {
    const desk = this.desks.get(deskId);
    if (!desk) return;
    desk.atDesk = Math.max(0, desk.atDesk - 1);
    desk.lastActionAt = now;
  }

  /** Any other action at the desk (recall, start): it is there. */
  acted(deskId: string, now: number): void {
    const desk = this.desks.get(deskId);
    if (desk) desk.lastActionAt = now;
  }

  /** A new business day: yesterday's desks are closed until they act, and their cycles start afresh. */
  newDay(): void {
    for (const desk of this.desks.values()) {
      Object.assign(desk, { atDesk: 0, lastActionAt: null, lastCallService: null, sinceCallMs: 0, idleAwaitedSince: null });
    }
  }

  isOpen(deskId: string, now: number): boolean {
    const desk = this.desks.get(deskId);
    if (!desk || desk.lastActionAt === null) return false;
    if (desk.atDesk > 0) return true;
    if (desk.idleAwaitedSince !== null && now - desk.idleAwaitedSince > this.closeAfterMs(deskId)) return false;
    return now - desk.lastActionAt <= IDLE_CLOSED_MS;
  }

  /** Holds no ticket now. */
  isIdle(deskId: string): boolean {
    return (this.desks.get(deskId)?.atDesk ?? 0) === 0;
  }
}
