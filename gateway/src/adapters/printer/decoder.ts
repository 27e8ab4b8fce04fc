import { DC4, DLE, EOT, ESC, FS, GS, LF, QR_FN } from './commands.js';
import type { Align } from './builder.js';
import type { Block, Page, TextRun } from './document.js';
import { decodeText, type PrinterEncoding } from './text-encoding.js';

/**
 * What a printer meets in the byte stream, in stream order. `status` (DLE EOT n) and
 * `clear-buffer` (DLE DC4 fn=8) are real-time commands: a printer executes them on arrival, so
 * meeting them again in the stream does nothing. `paper-status` (GS r 1) and `process-id`
 * (GS ( H fn=48) are answered in order, once everything before them has been printed. Each block
 * comes as it is complete (a printer prints line by line); the page follows at its cut.
 */
export type DecoderEvent =
  | { type: 'status'; query: number }
  | { type: 'clear-buffer' }
  | { type: 'paper-status' }
  | { type: 'process-id'; id: string }
  | { type: 'block'; block: Block }
  | { type: 'page'; page: Page };

const ALIGNS: Align[] = ['left', 'center', 'right'];
const QR_LEVELS = { 48: 'L', 49: 'M', 50: 'Q', 51: 'H' } as const;
/** Largest image or QR payload accepted; a longer length field is garbage, not a command. */
const MAX_BLOCK_BYTES = 256 * 1024;

type Step = { consumed: number } | 'incomplete';

/**
 * Decodes an ESC/POS byte stream back into pages of text runs, QR codes and images, the way a
 * printer interprets it. Streaming: feed chunks as they arrive; a command split across chunks
 * waits for its rest. No package on the registry does this (FIELD-NOTES), hence our own.
 */
export class EscPosDecoder {
  private pending = Buffer.alloc(0);
  private blocks: Block[] = [];
  private runs: TextRun[] = [];
  private runBytes: number[] = [];
  private align: Align = 'left';
  private width = 1;
  private height = 1;
  private bold = false;
  private doubleByte = false;
  private codePage: number | undefined;
  private unknown: string[] = [];
  private events: DecoderEvent[] = [];
  private qr = { moduleDots: 3, errorLevel: 'L' as 'L' | 'M' | 'Q' | 'H', payload: '' };

  constructor(private readonly encoding: PrinterEncoding) {}

  /**
   * The offsets in `data` just after each command (a control code with its parameters, never
   * inside text, where a double-byte character must not be split): where other bytes may be
   * put in between without changing what prints.
   */
  static commandEnds(data: Uint8Array, encoding: PrinterEncoding): number[] {
    const decoder = new EscPosDecoder(encoding);
    const buf = Buffer.from(data);
    const ends: number[] = [];
    let i = 0;
    while (i < buf.length) {
      const step = decoder.step(buf, i);
      if (step === 'incomplete') break;
      if (buf[i]! < 0x20) ends.push(i + step.consumed);
      i += step.consumed;
    }
    return ends;
  }

  /** Feeds bytes; returns what they completed (see DecoderEvent), in stream order. */
  push(chunk: Uint8Array): DecoderEvent[] {
    const events: DecoderEvent[] = (this.events = []);
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : Buffer.from(chunk);
    let i = 0;
    while (i < this.pending.length) {
      const step = this.step(this.pending, i);
      if (step === 'incomplete') break;
      i += step.consumed;
    }
    this.pending = this.pending.subarray(i);
    return events;
  }

  private step(buf: Buffer, i: number): Step {
    const b = buf[i]!;
    const at = (k: number) => buf[i + k];
    const need = (n: number): boolean => i + n <= buf.length;
    if (b >= 0x20) {
      this.runBytes.push(b);
      return { consumed: 1 };
    }
    if (b === LF) {
      this.endLine();
      return { consumed: 1 };
    }
    if (b === DLE) {
      if (!need(3)) return 'incomplete';
      if (at(1) === DC4) return this.dc4(need, at(2)!);
      if (at(1) === EOT) this.events.push({ type: 'status', query: at(2)! });
      else this.unknown.push(`DLE ${hex(at(1))}`);
      return { consumed: 3 };
    }
    if (b === ESC) {
      if (!need(2)) return 'incomplete';
      const c = at(1)!;
      if (c === 0x40) {
        this.reset();
        return { consumed: 2 };
      }
      if (c === 0x32) return { consumed: 2 };
      if (!need(3)) return 'incomplete';
      const n = at(2)!;
      switch (c) {
        case 0x61: this.align = ALIGNS[n % 48] ?? 'left'; break;
        case 0x45: this.style(() => (this.bold = (n & 1) === 1)); break;
        case 0x64: this.endLine(true); this.addBlock({ kind: 'feed', lines: n }); break;
        case 0x74: this.codePage = n; break;
        case 0x21: case 0x2d: case 0x33: case 0x4a: case 0x4d: case 0x52: break; // print mode, underline, spacing, feed dots, font, charset
        default: this.unknown.push(`ESC ${hex(c)}`); return { consumed: 2 };
      }
      return { consumed: 3 };
    }
    if (b === FS) {
      if (!need(2)) return 'incomplete';
      const c = at(1)!;
      if (c === 0x26 || c === 0x2e) {
        this.style(() => (this.doubleByte = c === 0x26));
        return { consumed: 2 };
      }
      if (c === 0x21) return need(3) ? { consumed: 3 } : 'incomplete';
      this.unknown.push(`FS ${hex(c)}`);
      return { consumed: 2 };
    }
    if (b === GS) return this.gs(buf, i, need);
    return { consumed: 1 }; // CR, NUL and other controls print nothing
  }

  private gs(buf: Buffer, i: number, need: (n: number) => boolean): Step {
    if (!need(2)) return 'incomplete';
    const c = buf[i + 1]!;
    if (c === 0x21) {
      if (!need(3)) return 'incomplete';
      const n = buf[i + 2]!;
      this.style(() => {
        this.width = (n >> 4) + 1;
        this.height = (n & 0x0f) + 1;
      });
      return { consumed: 3 };
    }
    if (c === 0x56) {
      if (!need(3)) return 'incomplete';
      const m = buf[i + 2]!;
      const withFeed = m === 65 || m === 66;
      if (withFeed && !need(4)) return 'incomplete';
      this.endPage(m === 0 || m === 48 || m === 65 ? 'full' : 'partial');
      return { consumed: withFeed ? 4 : 3 };
    }
    if (c === 0x72) {
      if (!need(3)) return 'incomplete';
      const n = buf[i + 2]!;
      if (n === 1 || n === 49) this.events.push({ type: 'paper-status' });
      return { consumed: 3 };
    }
    if (c === 0x28) {
      // GS ( x pL pH data: every such command says its length, so one it does not know is skipped whole.
      if (!need(5)) return 'incomplete';
      const fn = buf[i + 2]!;
      const len = buf[i + 3]! | (buf[i + 4]! << 8);
      if (len > MAX_BLOCK_BYTES) return { consumed: 5 };
      if (!need(5 + len)) return 'incomplete';
      const body = buf.subarray(i + 5, i + 5 + len);
      if (fn === 0x6b) this.qrFunction(body);
      else if (fn === 0x48) this.processId(body);
      else this.unknown.push(`GS ( ${hex(fn)}`);
      return { consumed: 5 + len };
    }
    if (c === 0x76 && buf[i + 2] === 0x30) {
      if (!need(8)) return 'incomplete';
      const mode = buf[i + 3]!;
      const rowBytes = buf[i + 4]! | (buf[i + 5]! << 8);
      const rows = buf[i + 6]! | (buf[i + 7]! << 8);
      const size = rowBytes * rows;
      if (size > MAX_BLOCK_BYTES) return { consumed: 8 };
      if (!need(8 + size)) return 'incomplete';
      this.endLine(true);
      const data = Buffer.from(buf.subarray(i + 8, i + 8 + size)).toString('base64');
      // Mode bit 0 doubles each dot's width, bit 1 its height (GS v 0 m = 0…3).
      this.addBlock({ kind: 'image', align: this.align, widthDots: rowBytes * 8, heightDots: rows, scaleX: (mode & 1) + 1, scaleY: ((mode >> 1) & 1) + 1, data });
      return { consumed: 8 + size };
    }
    if (!need(3)) return 'incomplete';
    this.unknown.push(`GS ${hex(c)}`);
    return { consumed: 3 };
  }

  /** GS ( k with cn = 49 (QR): set size and level, store the data, print it. */
  private qrFunction(body: Buffer): void {
    if (body[0] !== 0x31) return;
    const fn = body[1];
    if (fn === QR_FN.size) this.qr.moduleDots = body[2] ?? 3;
    else if (fn === QR_FN.errorLevel) this.qr.errorLevel = QR_LEVELS[body[2] as keyof typeof QR_LEVELS] ?? 'L';
    else if (fn === QR_FN.store) this.qr.payload = body.subarray(3).toString('utf8');
    else if (fn === QR_FN.print) {
      this.endLine(true);
      this.addBlock({ kind: 'qr', align: this.align, payload: this.qr.payload, moduleDots: this.qr.moduleDots, errorLevel: this.qr.errorLevel });
    }
  }

  /** GS ( H fn=48 m=48 d1…d4: answer with the process ID once everything before it is printed. */
  private processId(body: Buffer): void {
    if (body.length === 6 && body[0] === 48 && body[1] === 48) this.events.push({ type: 'process-id', id: body.subarray(2).toString('latin1') });
    else this.unknown.push('GS ( H');
  }

  /** DLE DC4 fn: fn = 8 with its seven fixed bytes clears the buffers; the others (pulse, power-off) take two. */
  private dc4(need: (n: number) => boolean, fn: number): Step {
    const length = fn === 8 ? 10 : 5;
    if (!need(length)) return 'incomplete';
    if (fn === 8) this.events.push({ type: 'clear-buffer' });
    else this.unknown.push(`DLE DC4 ${fn}`);
    return { consumed: length };
  }

  /** Runs a style change, closing the text run printed in the old style first. */
  private style(change: () => void): void {
    this.flushRun();
    change();
  }

  private flushRun(): void {
    if (this.runBytes.length === 0) return;
    const bytes = Uint8Array.from(this.runBytes);
    const text = this.doubleByte ? decodeText(bytes, this.encoding) : Buffer.from(bytes).toString('latin1');
    this.runs.push({ text, width: this.width, height: this.height, bold: this.bold, doubleByte: this.doubleByte });
    this.runBytes = [];
  }

  /** LF prints the line buffer; `onlyIfPending` for images and QR codes, which start a new line. */
  private endLine(onlyIfPending = false): void {
    this.flushRun();
    if (onlyIfPending && this.runs.length === 0) return;
    this.addBlock({ kind: 'text', align: this.align, runs: this.runs });
    this.runs = [];
  }

  private addBlock(block: Block): void {
    this.blocks.push(block);
    this.events.push({ type: 'block', block });
  }

  private endPage(cut: Page['cut']): void {
    this.endLine(true);
    const page: Page = { blocks: this.blocks, cut, encoding: this.encoding, codePage: this.codePage, unknownCommands: this.unknown };
    this.blocks = [];
    this.unknown = [];
    this.events.push({ type: 'page', page });
  }

  private reset(): void {
    this.flushRun();
    this.align = 'left';
    this.width = 1;
    this.height = 1;
    this.bold = false;
    this.doubleByte = false;
  }
}

function hex(n: number | undefined): string {
  return `0x${(n ?? 0).toString(16).padStart(2, '0')}`;
}
