/**
 * A printer's receive buffer: bytes wait here, in order, until the printer develops them. It
 * holds `capacity` bytes; an interface reads no more from its host while it is full.
 */
export class ReceiveBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  /** The most it has held at once. */
  highWater = 0;

  constructor(readonly capacity: number) {}

  get length(): number {
    return this.size;
  }

  get free(): number {
    return this.capacity - this.size;
  }

  /** Stores bytes; the caller takes no more than `free`. */
  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    if (bytes.length > this.free) throw new Error(`receive buffer overflow: ${bytes.length} bytes for ${this.free} free`);
    this.chunks.push(Buffer.from(bytes));
    this.size += bytes.length;
    this.highWater = Math.max(this.highWater, this.size);
  }

  /** Takes up to `max` bytes from the front. */
  take(max: number): Buffer {
    const parts: Buffer[] = [];
    let wanted = Math.min(max, this.size);
    while (wanted > 0) {
      const head = this.chunks[0]!;
      if (head.length <= wanted) {
        parts.push(head);
        this.chunks.shift();
        wanted -= head.length;
      } else {
        parts.push(head.subarray(0, wanted));
        this.chunks[0] = head.subarray(wanted);
        wanted = 0;
      }
    }
    const bytes = Buffer.concat(parts);
    this.size -= bytes.length;
    return bytes;
  }

  clear(): void {
    this.chunks = [];
    this.size = 0;
  }
}
