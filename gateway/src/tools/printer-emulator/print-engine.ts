import { EventEmitter } from 'node:events';
import { BLOCK_ANSWER, PROCESS_ID_ANSWER } from '../../adapters/printer/commands.js';
import { EscPosDecoder, type DecoderEvent } from '../../adapters/printer/decoder.js';
import { pageText, type Block, type Page } from '../../adapters/printer/document.js';
import { encodePaperSensor, type PrinterStatus } from '../../adapters/printer/status.js';
import type { PrinterEncoding } from '../../adapters/printer/text-encoding.js';
import { LINE_DOTS, blockDots } from '../../adapters/printer/paper-length.js';
import type { ReceiveBuffer } from './receive-buffer.js';

/**
 * How a piece of paper came off the printer: cut by the cutter, or torn off where the printer
 * stopped — the paper ran out, the cover was opened (the paper is pulled out to close it again),
 * or the buffers were cleared in the middle of a page.
 */
export type PieceEnding = 'cut' | 'paper-out' | 'cover-open' | 'cleared';

/** One piece of paper the printer put out. */
export interface PrintedPage {
  /** The blocks printed on this piece, with the page's settings. */
  page: Page;
  text: string;
  ending: PieceEnding;
  /** It starts in the middle of a page: the rest of a page torn off before. */
  continued: boolean;
  /** Its length in lines of text. */
  lines: number;
  /** The time the print head spent on it (without waiting for data or paper), ms. */
  printMs: number;
  at: Date;
}

/** Paper left, in lines, at which the near-end sensor trips. */
const NEAR_END_LINES = 60;
/** Bytes the engine develops from the receive buffer at a time. */
const DEVELOP_BYTES = 256;

export interface PrintEngineOptions {
  encoding: PrinterEncoding;
  dotsPerSecond: number;
  /** Paper on the roll, in dot rows (Infinity: endless). */
  paperDots: number;
  /** The model answers GS ( H process ID requests. */
  answersProcessId: boolean;
}

/**
 * The printing mechanism: develops the receive buffer in order and prints block by block at its
 * speed, using up paper. In-order requests (GS r 1, GS ( H) are answered when it reaches them —
 * after everything before them has printed. When the next block does not fit on the paper left,
 * or the cover is open, it stops: what is printed of the page is torn off, the rest waits in the
 * buffers and prints once paper is loaded or the cover closed.
 *
 * Events: `page` (PrintedPage), `paper-out`, `answered` ({request, id?}), `space` (bytes left the
 * receive buffer).
 */
export class PrintEngine extends EventEmitter {
  private decoder: EscPosDecoder;
  private pending: DecoderEvent[] = [];
  private blocks: Block[] = [];
  private piece = { dots: 0, ms: 0, continued: false };
  private midPage = false;
  private timer: NodeJS.Timeout | undefined;
  private headFreeAt = 0;
  /** The head goes straight on from the block it just finished. */
  private goingOn = false;
  private stepping = false;
  private paperDots: number;
  private paperEnded = false;
  private coverOpen = false;
  private dotsPerSecond: number;

  constructor(
    private readonly buffer: ReceiveBuffer,
    private readonly options: PrintEngineOptions,
    private readonly reply: (bytes: Uint8Array) => void,
  ) {
    super();
    this.decoder = new EscPosDecoder(options.encoding);
    this.dotsPerSecond = options.dotsPerSecond;
    this.paperDots = options.paperDots;
    this.paperEnded = this.paperDots <= 0;
  }

  get status(): PrinterStatus {
    return {
      offline: false,
      coverOpen: this.coverOpen,
      paperOut: this.paperEnded,
      paperLow: this.paperDots <= NEAR_END_LINES * LINE_DOTS,
      error: false,
    };
  }

  /** Nothing to print and nothing printing. */
  get idle(): boolean {
    return !this.timer && this.pending.length === 0 && this.buffer.length === 0;
  }

  /** Loads a roll of `lines` lines (Infinity: endless); 0 takes the paper out. */
  setPaper(lines: number): void {
    this.paperDots = lines * LINE_DOTS;
    this.paperEnded = this.paperDots <= 0;
    this.kick();
  }

  setCover(open: boolean): void {
    this.coverOpen = open;
    this.kick();
  }

  /** Print speed from the next block on. */
  setSpeed(dotsPerSecond: number): void {
    this.dotsPerSecond = dotsPerSecond;
  }

  /** Bytes arrived in the buffer, or the printer can go on: print what there is. */
  kick(): void {
    if (this.stepping) return;
    this.stepping = true;
    try {
      this.step();
    } finally {
      this.stepping = false;
    }
  }

  /** DLE DC4 fn=8: drops everything not printed yet, and what is printed of the page is torn off. */
  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = [];
    this.decoder = new EscPosDecoder(this.options.encoding);
    this.tear('cleared');
    this.midPage = false;
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private step(): void {
    while (!this.timer) {
      if (this.coverOpen) {
        this.tear('cover-open');
        return;
      }
      if (this.paperEnded) return;
      const event = this.nextEvent();
      if (!event) return;
      switch (event.type) {
        case 'block':
          this.print(event.block);
          break;
        case 'page':
          this.finishPiece('cut', event.page);
          break;
        case 'paper-status':
          this.answer({ request: 'paper-status' }, Uint8Array.of(encodePaperSensor(this.status)));
          break;
        case 'process-id':
          if (this.options.answersProcessId) this.answer({ request: 'process-id', id: event.id }, Uint8Array.of(BLOCK_ANSWER, PROCESS_ID_ANSWER, ...Buffer.from(event.id, 'latin1'), 0));
          break;
        default:
          break; // real-time commands were executed when they arrived
      }
    }
  }

  /** The next thing to do, developing bytes from the receive buffer when nothing is developed. */
  private nextEvent(): DecoderEvent | undefined {
    while (this.pending.length === 0 && this.buffer.length > 0) {
      this.pending.push(...this.decoder.push(this.buffer.take(DEVELOP_BYTES)));
      this.emit('space');
    }
    return this.pending.shift();
  }

  private print(block: Block): void {
    const dots = blockDots(block);
    if (dots > this.paperDots) {
      this.pending.unshift({ type: 'block', block });
      this.paperEnded = true;
      this.paperDots = 0;
      this.tear('paper-out');
      this.emit('paper-out');
      return;
    }
    if (this.blocks.length === 0) this.piece = { dots: 0, ms: 0, continued: this.midPage };
    const ms = (dots / this.dotsPerSecond) * 1000;
    // On the head's own clock: going straight on, a block starts when the last one ended, however
    // late its timer fired, so timer lateness does not add up over a page.
    const now = performance.now();
    this.headFreeAt = (this.goingOn ? this.headFreeAt : Math.max(now, this.headFreeAt)) + ms;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.paperDots -= dots;
      this.blocks.push(block);
      this.piece.dots += dots;
      this.piece.ms += ms;
      this.midPage = true;
      this.goingOn = true;
      this.kick();
      this.goingOn = false;
    }, this.headFreeAt - now);
  }

  private answer(what: { request: string; id?: string }, bytes: Uint8Array): void {
    this.reply(bytes);
    this.emit('answered', what);
  }

  /** The printed part of the page comes off where the printer stopped. */
  private tear(ending: Exclude<PieceEnding, 'cut'>): void {
    if (this.blocks.length === 0) return;
    this.emitPiece(ending, { blocks: [], cut: 'full', encoding: this.options.encoding, codePage: undefined, unknownCommands: [] });
  }

  private finishPiece(ending: 'cut', page: Page): void {
    if (this.blocks.length === 0) this.piece = { dots: 0, ms: 0, continued: this.midPage };
    this.emitPiece(ending, page);
    this.midPage = false;
  }

  private emitPiece(ending: PieceEnding, page: Page): void {
    const printed: Page = { ...page, blocks: this.blocks };
    const piece: PrintedPage = { page: printed, text: pageText(printed), ending, continued: this.piece.continued, lines: this.piece.dots / LINE_DOTS, printMs: this.piece.ms, at: new Date() };
    this.blocks = [];
    this.piece = { dots: 0, ms: 0, continued: this.midPage };
    this.emit('page', piece);
  }
}
