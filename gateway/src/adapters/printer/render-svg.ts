import { PAPER } from './builder.js';
import type { Block, Page } from './document.js';
import { qrMatrix } from './qr-raster.js';
import { columns } from './text-encoding.js';

const CELL_W = 12;
const CELL_H = 24;
const LINE_GAP = 6;
const MARGIN = 8;

/**
 * Draws a decoded page as the printer would put it on paper, in printer dots: font A cells of
 * 12 × 24, double-byte characters two cells wide, QR codes and images module by module.
 */
export function renderSvg(page: Page, paperWidth: 58 | 80 = 80): string {
  const width = PAPER[paperWidth].dots;
  const parts: string[] = [];
  let y = MARGIN;
  for (const block of page.blocks) y = drawBlock(block, y, width, parts);
  const height = y + MARGIN * 3;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" data-encoding="${page.encoding}">` +
    `<rect width="${width}" height="${height}" fill="#fff"/>` +
    parts.join('') +
    `<line x1="0" y1="${height - 1}" x2="${width}" y2="${height - 1}" stroke="#999" stroke-dasharray="6 4"/></svg>`
  );
}

function drawBlock(block: Block, y: number, width: number, out: string[]): number {
  if (block.kind === 'feed') return y + block.lines * (CELL_H + LINE_GAP);
  if (block.kind === 'text') {
    const lineHeight = Math.max(1, ...block.runs.map((r) => r.height)) * CELL_H;
    const total = block.runs.reduce((sum, r) => sum + columns(r.text) * CELL_W * r.width, 0);
    let x = block.align === 'center' ? (width - total) / 2 : block.align === 'right' ? width - total : 0;
    for (const run of block.runs) {
      const w = columns(run.text) * CELL_W * run.width;
      if (w > 0) {
        out.push(
          `<text x="${x}" y="${y + lineHeight - 5 * run.height}" font-family="'Noto Sans Mono CJK SC','Noto Sans CJK SC',monospace" ` +
            `font-size="${22 * run.height}" textLength="${w}" lengthAdjust="spacingAndGlyphs"${run.bold ? ' font-weight="bold"' : ''}>${escapeXml(run.text)}</text>`,
        );
      }
      x += w;
    }
    return y + lineHeight + LINE_GAP;
  }
  // A QR code is drawn module by module, an image dot by dot: `cell` dots per grid step.
  const modules = block.kind === 'qr' ? qrMatrix(block.payload, block.errorLevel) : undefined;
  const cell = block.kind === 'qr' ? block.moduleDots : 1;
  const [sx, sy] = block.kind === 'qr' ? [1, 1] : [block.scaleX, block.scaleY];
  const cols = block.kind === 'qr' ? (modules?.length ?? 0) : block.widthDots;
  const rows = block.kind === 'qr' ? cols : block.heightDots;
  const w = cols * cell * sx;
  const h = rows * cell * sy;
  const x0 = block.align === 'center' ? Math.floor((width - w) / 2) : block.align === 'right' ? width - w : 0;
  const dark = block.kind === 'qr' ? (cx: number, cy: number) => modules?.[cy]?.[cx] === true : imageDots(block);
  // One rect per horizontal run of dark cells keeps the SVG small.
  for (let cy = 0; cy < rows; cy++) {
    for (let cx = 0; cx < cols; ) {
      if (!dark(cx, cy)) {
        cx++;
        continue;
      }
      const start = cx;
      while (cx < cols && dark(cx, cy)) cx++;
      out.push(`<rect x="${x0 + start * cell * sx}" y="${y + cy * cell * sy}" width="${(cx - start) * cell * sx}" height="${cell * sy}"/>`);
    }
  }
  return y + h + LINE_GAP;
}

function imageDots(block: Extract<Block, { kind: 'image' }>): (x: number, y: number) => boolean {
  const data = Buffer.from(block.data, 'base64');
  const rowBytes = block.widthDots / 8;
  return (x, y) => ((data[y * rowBytes + (x >> 3)] ?? 0) & (0x80 >> (x & 7))) !== 0;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
