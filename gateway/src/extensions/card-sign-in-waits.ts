/** A screen that stopped asking this long ago still counts as waiting: its next ask is on the way. */
const BETWEEN_ASKS_MS = 3000;

interface Waiter<T> {
  /** `more`: the screen will ask again (a time-out, a refusal), so the gap after it still counts as waiting. */
  resolve: (outcome: T | undefined, more: boolean) => void;
  timer: NodeJS.Timeout;
}

interface Station<T> {
  waiters: Waiter<T>[];
  lastAskEnded: number;
  /** A tap that came between two asks, for the next one. */
  held?: { outcome: T; at: number };
}

/**
 * The screens waiting for a staff card on their reader, per station: each asks over HTTP and waits
 * a few seconds at a time. A tap goes to the screen that has waited longest (one tap, one session),
 * and a tap between two asks is kept for the next one, so none is lost to the gap.
 */
export class CardSignInWaits<T> {
  private readonly stations = new Map<string, Station<T>>();

  constructor(private readonly clock: () => number) {}

  /** Whether a screen at the station is waiting, or was a moment ago. */
  waiting(station: string): boolean {
    const s = this.stations.get(station);
    return s !== undefined && (s.waiters.length > 0 || this.clock() - s.lastAskEnded <= BETWEEN_ASKS_MS);
  }

  /** The next tap's outcome at the station, or undefined after `ms` or once `cancelled` fires. */
  wait(station: string, ms: number, cancelled: (stop: () => void) => void): Promise<T | undefined> {
    const s = this.station(station);
    if (s.held && this.clock() - s.held.at <= BETWEEN_ASKS_MS) {
      const { outcome } = s.held;
      delete s.held;
      return Promise.resolve(outcome);
    }
    delete s.held;
    return new Promise((resolve) => {
      let done = false;
      const waiter: Waiter<T> = {
        resolve: (outcome, more) => {
          if (done) return; // e.g. the connection closing after the answer went out
          done = true;
          clearTimeout(waiter.timer);
          s.waiters = s.waiters.filter((w) => w !== waiter);
          s.lastAskEnded = more ? this.clock() : 0;
          resolve(outcome);
        },
        timer: setTimeout(() => waiter.resolve(undefined, true), ms),
      };
      s.waiters.push(waiter);
      // A screen that went away (signed in by PIN, closed) no longer takes the reader's taps.
      cancelled(() => waiter.resolve(undefined, false));
    });
  }

  /**
   * Hands a tap's outcome to the station's screen; false when no screen is waiting there. `last`:
   * the screen stops asking after this one (signed in), so the reader is free again at once.
   */
  deliver(station: string, outcome: T, last: boolean): boolean {
    const s = this.stations.get(station);
    if (!s || !this.waiting(station)) return false;
    const first = s.waiters[0];
    if (first) first.resolve(outcome, !last);
    else {
      s.held = { outcome, at: this.clock() };
      if (last) s.lastAskEnded = 0;
    }
    return true;
  }

  /** Answers every waiting screen "nothing yet" (the gateway is stopping). */
  clear(): void {
    for (const s of this.stations.values()) for (const w of [...s.waiters]) w.resolve(undefined, false);
    this.stations.clear();
  }

  private station(id: string): Station<T> {
    let s = this.stations.get(id);
    if (!s) {
      s = { waiters: [], lastAskEnded: 0 };
      this.stations.set(id, s);
    }
    return s;
  }
}
