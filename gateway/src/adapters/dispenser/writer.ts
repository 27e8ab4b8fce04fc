import type { DeviceLink } from '../printer/link.js';
import { encodeFrame } from './frame.js';
import { MSG, TIMING, needsAck } from './protocol.js';
import { encode } from './messages.js';

interface Pending {
  frame: Buffer;
  tries: number;
  timer: NodeJS.Timeout;
  resolve: (acked: boolean) => void;
}

/**
 * Sends frames on a link with sequence numbers, and resends each unacknowledged one (same seq,
 * so the receiver can tell a resend from a new message) until its ACK or the last retry.
 */
export class FrameWriter {
  private seq = 0;
  private readonly pending = new Map<number, Pending>();
  version = 1;

  constructor(
    private readonly link: DeviceLink,
    private readonly timing: { ackTimeoutMs: number; retries: number } = TIMING,
  ) {}

  /** Sends a message; resolves true when acknowledged (at once for types that are not acked). */
  send(type: number, payload: Buffer): Promise<boolean> {
    this.seq = (this.seq % 255) + 1; // 1…255; 0 is never used, so a zeroed buffer is never a valid resend
    const seq = this.seq;
    const frame = encodeFrame({ version: this.version, seq, type, payload });
    this.link.write(frame);
    if (!needsAck(type)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const pending: Pending = { frame, tries: 0, resolve, timer: setTimeout(() => this.retry(seq), this.ackWait(frame)) };
      this.pending.set(seq, pending);
    });
  }

  /** Answers a received frame's sequence number. */
  ack(seq: number): void {
    this.link.write(encodeFrame({ version: this.version, seq, type: MSG.ACK, payload: encode.ack(seq) }));
  }

  nak(seq: number, reason: Parameters<typeof encode.nak>[1]): void {
    this.link.write(encodeFrame({ version: this.version, seq, type: MSG.NAK, payload: encode.nak(seq, reason) }));
  }

  acknowledged(seq: number): void {
    const pending = this.pending.get(seq);
    if (!pending) return;
    clearTimeout(pending.timer);
    this.pending.delete(seq);
    pending.resolve(true);
  }

  /** Gives up every pending frame (link closed). */
  reset(): void {
    for (const pending of this.pending.values()) {
      clearTimeout(pending.timer);
      pending.resolve(false);
    }
    this.pending.clear();
  }

  private retry(seq: number): void {
    const pending = this.pending.get(seq);
    if (!pending) return;
    if (pending.tries >= this.timing.retries) {
      this.pending.delete(seq);
      pending.resolve(false);
      return;
    }
    pending.tries++;
    this.link.write(pending.frame);
    pending.timer = setTimeout(() => this.retry(seq), this.ackWait(pending.frame));
  }

  private ackWait(frame: Buffer): number {
    const bps = this.link.bytesPerSecond;
    // Our frame out and the ACK back both take time on a slow line.
    return this.timing.ackTimeoutMs + (bps ? ((frame.length + 8) / bps) * 1000 : 0);
  }
}
