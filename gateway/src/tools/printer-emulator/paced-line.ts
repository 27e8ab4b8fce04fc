/**
 * One direction of a cable of `bytesPerSecond`: bytes put in come out when their last byte
 * would have crossed, strictly in order (one timer for the whole queue: timers of nearly the
 * same expiry do not keep their order).
 */
export class PacedLine {
  private queue: { at: number; bytes: Buffer }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private busyUntil = 0;

  constructor(
    private readonly bytesPerSecond: number,
    private readonly deliver: (bytes: Buffer) => void,
  ) {}

  push(bytes: Buffer): void {
    this.busyUntil = Math.max(performance.now(), this.busyUntil) + (bytes.length / this.bytesPerSecond) * 1000;
    this.queue.push({ at: this.busyUntil, bytes });
    if (!this.timer) this.schedule();
  }

  /** What is still on the wire is lost (the cable was pulled). */
  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.queue = [];
    this.busyUntil = 0;
  }

  private schedule(): void {
    const head = this.queue[0];
    if (!head) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const now = performance.now();
      while (this.queue[0] && this.queue[0].at <= now) this.deliver(this.queue.shift()!.bytes);
      this.schedule();
    }, Math.max(0, head.at - performance.now()));
  }
}
