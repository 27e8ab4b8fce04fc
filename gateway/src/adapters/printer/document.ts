import type { Align } from './builder.js';
import type { PrinterEncoding } from './text-encoding.js';

/** A run of text in one style, as the printer would print it. */
export interface TextRun {
  text: string;
  /** Character size multipliers (GS !). */
  width: number;
  height: number;
  bold: boolean;
  /** Printed in the printer's double-byte (Chinese) mode. */
  doubleByte: boolean;
}

export type Block =
  | { kind: 'text'; align: Align; runs: TextRun[] }
  | { kind: 'qr'; align: Align; payload: string; moduleDots: number; errorLevel: 'L' | 'M' | 'Q' | 'H' }
  | { kind: 'image'; align: Align; widthDots: number; heightDots: number; scaleX: number; scaleY: number; data: string /* base64, GS v 0 packing */ }
  | { kind: 'feed'; lines: number };

/** One printed piece of paper: everything up to a cut. */
export interface Page {
  blocks: Block[];
  cut: 'full' | 'partial';
  /** The double-byte set the printer decoded Chinese with (its firmware setting). */
  encoding: PrinterEncoding;
  /** Last `ESC t n` code page selected, if any. */
  codePage: number | undefined;
  /** Commands the decoder did not know, e.g. `ESC x`; a correct job has none. */
  unknownCommands: string[];
}

/** The page's text, one printed line per line (QR codes as `[QR payload]`, images as `[image WxH]`). */
export function pageText(page: Page): string {
  return page.blocks
    .map((b) => {
      if (b.kind === 'text') return b.runs.map((r) => r.text).join('');
      if (b.kind === 'qr') return `[QR ${b.payload}]`;
      if (b.kind === 'image') return `[image ${b.widthDots}x${b.heightDots}]`;
      return '\n'.repeat(Math.max(0, b.lines - 1));
    })
    .join('\n');
}
