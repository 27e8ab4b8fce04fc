import type { PrinterProfile } from '../../config/devices.js';
import { ESC, FS, GS, LF, QR_FN } from './commands.js';
import { qrMatrix, rasterize } from './qr-raster.js';
import { columns, encodeText, needsDoubleByte } from './text-encoding.js';

export type Align = 'left' | 'center' | 'right';
const ALIGN: Record<Align, number> = { left: 0, center: 1, right: 2 };

/** Characters per line of font A (12 × 24 dots) and printable dots, per paper width. */
export const PAPER = { 58: { columns: 32, dots: 384 }, 80: { columns: 48, dots: 576 } } as const;

/**
 * A small ESC/POS command builder bound to one printer profile: text goes out in the profile's
 * double-byte set (entering FS & only around runs that need it), QR codes as `GS ( k` or as a
 * raster image for printers without it. Methods chain; `bytes()` returns the job.
 */
export class EscPosBuilder {
  private readonly parts: Uint8Array[] = [];
  private doubleByte = false;

  constructor(readonly profile: PrinterProfile) {}

  get columns(): number {
    return PAPER[this.profile.width].columns;
  }

  /** ESC @ resets the printer's modes, so a job never inherits a previous job's size or alignment. */
  init(): this {
    this.doubleByte = false;
    return this.raw(ESC, 0x40);
  }

  align(align: Align): this {
    return this.raw(ESC, 0x61, ALIGN[align]);
  }

  /** Character size multipliers 1–8 (GS !); applies to single- and double-byte text. */
  size(width: number, height = width): this {
    return this.raw(GS, 0x21, ((clamp(width) - 1) << 4) | (clamp(height) - 1));
  }

  bold(on: boolean): this {
    return this.raw(ESC, 0x45, on ? 1 : 0);
  }

  /** Text without a line feed; characters the profile cannot print come out as "?". */
  text(text: string): this {
    if (text.length === 0) return this;
    const wide = this.profile.encoding !== 'ascii' && needsDoubleByte(text);
    if (wide !== this.doubleByte) {
      this.raw(FS, wide ? 0x26 : 0x2e);
      this.doubleByte = wide;
    }
    this.parts.push(encodeText(text, this.profile.encoding));
    return this;
  }

  line(text = ''): this {
    return this.text(text).raw(LF);
  }

  /** Left text and right text on one line, padded to the paper width (at size 1). */
  pair(left: string, right: string): this {
    const gap = Math.max(1, this.columns - columns(left) - columns(right));
    return this.line(`${left}${' '.repeat(gap)}${right}`);
  }

  rule(char = '-'): this {
    return this.line(char.repeat(this.columns));
  }

  feed(lines: number): this {
    return this.raw(ESC, 0x64, Math.max(0, Math.min(255, lines)));
  }

  /** A QR code of `moduleDots` dots per module, centred by the current alignment. */
  qr(payload: string, moduleDots = 6): this {
    if (this.profile.qr === 'raster') return this.raster(payload, moduleDots);
    const data = Buffer.from(payload, 'utf8');
    const fn = (f: number, ...args: number[]) => {
      const len = args.length + 2;
      return this.raw(GS, 0x28, 0x6b, len & 0xff, len >> 8, 0x31, f, ...args);
    };
    fn(QR_FN.model, 0x32, 0x00);
    fn(QR_FN.size, Math.max(1, Math.min(16, moduleDots)));
    fn(QR_FN.errorLevel, 0x31); // M: survives a crease across the ticket
    const len = data.length + 3;
    this.raw(GS, 0x28, 0x6b, len & 0xff, len >> 8, 0x31, QR_FN.store, 0x30);
    this.parts.push(data);
    return fn(QR_FN.print, 0x30);
  }

  /** Feeds past the cutter and cuts partially (GS V 66 n), so the ticket does not fall. */
  cut(): this {
    if (this.doubleByte) this.raw(FS, 0x2e);
    this.doubleByte = false;
    return this.raw(GS, 0x56, 66, 3);
  }

  bytes(): Buffer {
    return Buffer.concat(this.parts);
  }

  /**
   * The QR code as a GS v 0 image. With an even module size the image is sent at half size in
   * quadruple-density mode (m = 3: each dot printed 2 × 2), a quarter of the bytes on the wire.
   */
  private raster(payload: string, moduleDots: number): this {
    const dots = Math.max(1, Math.min(8, moduleDots));
    const quad = dots % 2 === 0;
    const image = rasterize(qrMatrix(payload, 'M'), quad ? dots / 2 : dots);
    const rowBytes = Math.ceil(image.widthDots / 8);
    this.raw(GS, 0x76, 0x30, quad ? 3 : 0, rowBytes & 0xff, rowBytes >> 8, image.heightDots & 0xff, image.heightDots >> 8);
    this.parts.push(image.data);
    return this.raw(LF);
  }

  private raw(...bytes: number[]): this {
    this.parts.push(Uint8Array.from(bytes));
    return this;
  }
}

function clamp(n: number): number {
  return Math.max(1, Math.min(8, Math.round(n)));
}
