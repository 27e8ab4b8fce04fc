import { EscPosDecoder } from './decoder.js';
import type { Block, Page } from './document.js';
import { qrMatrix } from './qr-raster.js';
import type { PrinterEncoding } from './text-encoding.js';

/** A 203 dpi thermal head: 8 dots to the millimetre. */
export const DOTS_PER_MM = 8;
/** A line of 24-dot characters at the default line spacing of many models, 30 dots: 3.75 mm of paper. */
export const LINE_DOTS = 30;

/** The paper a block takes, in dot rows. */
export function blockDots(block: Block): number {
  switch (block.kind) {
    case 'text':
      return 24 * Math.max(1, ...block.runs.map((r) => r.height)) + (LINE_DOTS - 24);
    case 'qr':
      return qrMatrix(block.payload, block.errorLevel).length * block.moduleDots;
    case 'image':
      return block.heightDots * block.scaleY;
    case 'feed':
      return block.lines * LINE_DOTS;
  }
}

/** A page's length in lines (of LINE_DOTS). */
export function pageLines(page: Page): number {
  return page.blocks.reduce((dots, b) => dots + blockDots(b), 0) / LINE_DOTS;
}

/** The paper a job (or a piece of one) takes, in lines: what sets how long it takes to print. */
export function jobLines(data: Uint8Array, encoding: PrinterEncoding): number {
  const blocks = new EscPosDecoder(encoding).push(data).flatMap((e) => (e.type === 'block' ? [e.block] : []));
  return blocks.reduce((dots, b) => dots + blockDots(b), 0) / LINE_DOTS;
}
