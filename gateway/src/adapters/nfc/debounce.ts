/**
 * Decides whether a card arriving on a reader is a new tap. A card left lying on a reader comes
 * and goes as the reader's field flickers (and when pcscd restarts): the same UID back within
 * `windowMs` of leaving, or seen again without having left, is the same tap.
 */
export class TapDebouncer {
  /** UID → when it left the reader, or null while it is there. */
  private readonly seen = new Map<string, number | null>();

  constructor(
    private readonly windowMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Records the arrival; true when it is a new tap. */
  arrived(uid: string): boolean {
    const now = this.clock();
    this.prune(now);
    const leftAt = this.seen.get(uid);
    this.seen.set(uid, null);
    if (leftAt === undefined) return true;
    return leftAt !== null && now - leftAt >= this.windowMs;
  }

  left(uid: string): void {
    if (this.seen.has(uid)) this.seen.set(uid, this.clock());
  }

  /** The reader went away: no card can still be on it. */
  allLeft(): void {
    const now = this.clock();
    for (const [uid, leftAt] of this.seen) if (leftAt === null) this.seen.set(uid, now);
  }

  /** UIDs remembered; stays small because departed cards are forgotten after the window. */
  get size(): number {
    return this.seen.size;
  }

  private prune(now: number): void {
    for (const [uid, leftAt] of this.seen) if (leftAt !== null && now - leftAt >= this.windowMs) this.seen.delete(uid);
  }
}
