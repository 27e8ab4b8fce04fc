import { crc16 } from './crc.js';
import type { Frame } from './frame.js';
import { ETX, HEADER_BYTES, MAX_PAYLOAD, STX, TRAILER_BYTES } from './protocol.js';

/** What the parser threw away, by kind; a healthy line keeps every count but `frames` at 0. */
export interface ParserStats {
  frames: number;
  /** Bytes outside any frame (line noise, a half frame after a reconnect). */
  noiseBytes: number;
  badChecksum: number;
  /** A LEN field above MAX_PAYLOAD. */
  oversized: number;
  /** A frame whose bytes stopped coming. */
  truncated: number;
}

export type RejectKind = Exclude<keyof ParserStats, 'frames'>;

/**
 * Finds frames in a serial byte stream. Hunts for STX, checks the length, the trailing ETX and
 * the CRC; on any mismatch it drops that STX and hunts again from the next byte, so a corrupted
 * frame costs at most itself. A partial frame left without bytes for `interByteMs` is dropped
 * (call `tick` from a timer) — the next frame is never glued to a dead half.
 */
export class FrameParser {
  readonly stats: ParserStats = { frames: 0, noiseBytes: 0, badChecksum: 0, oversized: 0, truncated: 0 };
  private buf = Buffer.alloc(0);
  private lastByteAt = 0;

  constructor(
    private readonly onFrame: (frame: Frame) => void,
    private readonly onReject: (kind: RejectKind, bytes: number) => void = () => undefined,
    private readonly interByteMs = 50,
  ) {}

  push(chunk: Uint8Array, now = Date.now()): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : Buffer.from(chunk);
    this.lastByteAt = now;
    this.scan();
  }

  /** Drops a partial frame whose rest has not come in time. */
  tick(now = Date.now()): void {
    if (this.buf.length === 0 || now - this.lastByteAt < this.interByteMs) return;
    this.reject('truncated', this.buf.length);
    // Nothing more is coming: salvage any whole frame behind the dead start, drop the rest.
    while (this.buf.length > 0) {
      this.buf = this.buf.subarray(1);
      this.scan();
    }
  }

  private scan(): void {
    for (;;) {
      const start = this.buf.indexOf(STX);
      if (start < 0) {
        if (this.buf.length) this.reject('noiseBytes', this.buf.length);
        this.buf = Buffer.alloc(0);
        return;
      }
      if (start > 0) {
        this.reject('noiseBytes', start);
        this.buf = this.buf.subarray(start);
      }
      if (this.buf.length < HEADER_BYTES) return;
      const len = this.buf[4]!;
      if (len > MAX_PAYLOAD) {
        this.reject('oversized', 1);
        this.buf = this.buf.subarray(1);
        continue;
      }
      const total = HEADER_BYTES + len + TRAILER_BYTES;
      if (this.buf.length < total) return;
      const end = HEADER_BYTES + len;
      if (this.buf[total - 1] !== ETX || this.buf.readUInt16BE(end) !== crc16(this.buf, 1, end)) {
        this.reject('badChecksum', 1);
        this.buf = this.buf.subarray(1);
        continue;
      }
      const frame: Frame = { version: this.buf[1]!, seq: this.buf[2]!, type: this.buf[3]!, payload: Buffer.from(this.buf.subarray(HEADER_BYTES, end)) };
      this.buf = this.buf.subarray(total);
      this.stats.frames++;
      this.onFrame(frame);
    }
  }

  private reject(kind: RejectKind, bytes: number): void {
    this.stats[kind] += kind === 'noiseBytes' ? bytes : 1;
    this.onReject(kind, bytes);
  }
}
