import { describe, expect, it } from 'vitest';
import { EscPosBuilder } from '../../../gateway/src/adapters/printer/builder.js';
import { CLEAR_BUFFER, PAPER_STATUS_REQUEST, STATUS_QUERY, processIdRequest } from '../../../gateway/src/adapters/printer/commands.js';
import { EscPosDecoder, type DecoderEvent } from '../../../gateway/src/adapters/printer/decoder.js';
import type { Block, Page } from '../../../gateway/src/adapters/printer/document.js';
import { exitPassLayout, receptionSlipLayout, ticketLayout } from '../../../gateway/src/adapters/printer/layouts.js';
import { qrMatrix } from '../../../gateway/src/adapters/printer/qr-raster.js';
import { renderSvg } from '../../../gateway/src/adapters/printer/render-svg.js';
import { canPrint, encodeStatus, isStatusByte, parseStatus, statusReason } from '../../../gateway/src/adapters/printer/status.js';
import type { PrinterProfile } from '../../../gateway/src/config/devices.js';
import { TEST_TICKET } from '../../support/printing.js';


function pagesOf(events: DecoderEvent[]): Page[] {
  return events.flatMap((e) => (e.type === 'page' ? [e.page] : []));
}

function decodeOne(profile: PrinterProfile, bytes: Uint8Array): Page {
  const pages = pagesOf(new EscPosDecoder(profile.encoding).push(bytes));
  expect(pages).toHaveLength(1);
  return pages[0]!;
}

/** One row per block: alignment and each run's size, weight, mode and text. */
function structure(page: Page): unknown[] {
  return page.blocks.map((b: Block) => {
    if (b.kind === 'text') return [b.align, b.runs.map((r) => `${r.width}x${r.height}${r.bold ? ' bold' : ''}${r.doubleByte ? ' cjk' : ''}: ${r.text}`)];
    if (b.kind === 'qr') return ['qr', b.align, b.moduleDots, b.errorLevel, b.payload];
    if (b.kind === 'image') return ['image', b.align, b.widthDots * b.scaleX, b.heightDots * b.scaleY];
    return ['feed', b.lines];
  });
}

describe('ESC/POS encoder and emulator decoder', () => {
  it('lays out the queue ticket exactly as designed (golden structure, 58 mm, GB18030)', () => {
    const page = decodeOne({ encoding: 'gb18030', width: 58, qr: 'gs-k' }, ticketLayout({ encoding: 'gb18030', width: 58, qr: 'gs-k' }, TEST_TICKET));
    expect(page.cut).toBe('partial');
    expect(page.unknownCommands).toEqual([]);
    expect(structure(page)).toEqual([
      ['center', ['1x1 bold cjk: 天河店']],
      ['center', ['1x1 bold: Tianhe Store']],
      ['center', ['1x1: --------------------------------']],
      ['center', ['1x1 cjk: 您的号码 / Your number']],
      ['center', ['4x4 bold: A012']],
      ['center', ['2x2 cjk: 保养']],
      ['center', ['1x1: Maintenance']],
      ['feed', 1],
      ['center', ['1x1 cjk: 取号时间 2025-03-14 10:05']],
      ['center', ['1x1 cjk: 前面还有 3 人，约 12 分钟']],
      ['center', ['1x1: Taken at 2025-03-14 10:05']],
      ['center', ['1x1: 3 ahead of you, about 12 min']],
      ['feed', 1],
      ['qr', 'center', 4, 'M', TEST_TICKET.statusUrl],
      ['center', ['1x1 cjk: 扫码查看排队进度']],
      ['center', ['1x1: Scan to follow the queue']],
      ['center', ['1x1: --------------------------------']],
      ['center', ['1x1 cjk: 请留意叫号，过号请至服务台']],
      ['center', ['1x1: Please listen for your number']],
      ['feed', 2],
    ]);
  });

  it('prints traditional Chinese on Big5 printers and English only on ASCII printers', () => {
    const big5 = decodeOne({ encoding: 'big5', width: 80, qr: 'gs-k' }, ticketLayout({ encoding: 'big5', width: 80, qr: 'gs-k' }, TEST_TICKET));
    const text = structure(big5).flat(2).join('\n');
    expect(text).toContain('保養');
    expect(text).toContain('您的號碼');
    expect(text).not.toContain('保养');
    const ascii = decodeOne({ encoding: 'ascii', width: 80, qr: 'gs-k' }, ticketLayout({ encoding: 'ascii', width: 80, qr: 'gs-k' }, TEST_TICKET));
    expect(ascii.blocks.every((b) => b.kind !== 'text' || b.runs.every((r) => !r.doubleByte))).toBe(true);
    expect(structure(ascii).flat(2).join('\n')).toContain('Maintenance');
  });

  it.each([
    ['gb18030', '出厂放行条 保养 维修 索赔/保险 交车/结算 金额：￥1,280.00 粤B·D5**8 𠀀'],
    ['big5', '出廠放行條 保養 維修 索賠/保險 交車/結算 金額：￥1,280.00 臺灣 香港'],
  ] as const)('round-trips Chinese text exactly through the decoder in %s', (encoding, text) => {
    const profile: PrinterProfile = { encoding, width: 80, qr: 'gs-k' };
    const bytes = new EscPosBuilder(profile).init().line(text).line('ASCII after Chinese').cut().bytes();
    const page = decodeOne(profile, bytes);
    expect(page.encoding).toBe(encoding);
    expect(page.blocks.map((b) => (b.kind === 'text' ? b.runs.map((r) => r.text).join('') : ''))).toEqual([text, 'ASCII after Chinese']);
  });

  it('turns a half-width ¥ into the full-width ￥ that GBK and Big5 have', () => {
    const profile: PrinterProfile = { encoding: 'gb18030', width: 80, qr: 'gs-k' };
    const page = decodeOne(profile, new EscPosBuilder(profile).init().line('合计 ¥99').cut().bytes());
    expect(page.blocks[0]).toMatchObject({ runs: [{ text: '合计 ￥99' }] });
  });

  it('prints the QR code as a raster image on printers without GS ( k, dot for dot the same symbol', () => {
    const profile: PrinterProfile = { encoding: 'gb18030', width: 80, qr: 'raster' };
    const page = decodeOne(profile, ticketLayout(profile, TEST_TICKET));
    expect(page.blocks.some((b) => b.kind === 'qr')).toBe(false);
    const image = page.blocks.find((b): b is Extract<Block, { kind: 'image' }> => b.kind === 'image');
    expect(image).toBeDefined();
    const matrix = qrMatrix(TEST_TICKET.statusUrl, 'M');
    const moduleDots = 6;
    expect(image!.widthDots * image!.scaleX).toBeGreaterThanOrEqual(matrix.length * moduleDots);
    expect(image!.heightDots * image!.scaleY).toBe(matrix.length * moduleDots);
    // Sample every module's centre in the decoded image.
    const data = Buffer.from(image!.data, 'base64');
    const rowBytes = image!.widthDots / 8;
    const dark = (x: number, y: number) => ((data[y * rowBytes + (x >> 3)] ?? 0) & (0x80 >> (x & 7))) !== 0;
    const cell = moduleDots / image!.scaleX;
    for (let my = 0; my < matrix.length; my++) {
      for (let mx = 0; mx < matrix.length; mx++) {
        expect(dark(Math.floor(mx * cell + cell / 2), Math.floor(my * cell + cell / 2))).toBe(matrix[my]![mx]);
      }
    }
    expect(renderSvg(page)).toMatch(/^<svg[^>]+viewBox="0 0 576 \d+"/);
  });

  it('decodes a job split into arbitrary chunks the same as in one piece: each block as it completes, the page at its cut, then the requests in stream order', () => {
    const profile: PrinterProfile = { encoding: 'big5', width: 58, qr: 'gs-k' };
    const job = Buffer.concat([ticketLayout(profile, TEST_TICKET), STATUS_QUERY, PAPER_STATUS_REQUEST, processIdRequest('j001'), CLEAR_BUFFER]);
    const whole = new EscPosDecoder('big5').push(job);
    const decoder = new EscPosDecoder('big5');
    const chunked: DecoderEvent[] = [];
    for (let i = 0; i < job.length; i += 7) chunked.push(...decoder.push(job.subarray(i, i + 7)));
    expect(chunked).toEqual(whole);
    const [page] = pagesOf(whole);
    const blocks = whole.flatMap((e) => (e.type === 'block' ? [e.block] : []));
    expect(blocks).toEqual(page!.blocks);
    expect(whole.slice(blocks.length)).toEqual([
      { type: 'page', page },
      { type: 'status', query: 1 },
      { type: 'status', query: 2 },
      { type: 'status', query: 4 },
      { type: 'paper-status' },
      { type: 'process-id', id: 'j001' },
      { type: 'clear-buffer' },
    ]);
    expect(page!.unknownCommands).toEqual([]);
  });

  it('lays out reception slips and exit passes with their titles, fields and signature line', () => {
    const profile: PrinterProfile = { encoding: 'big5', width: 80, qr: 'raster' };
    const slip = {
      storeName: TEST_TICKET.storeName,
      number: 'R-0042',
      fields: [{ label: { 'zh-Hans': '车牌', 'zh-Hant': '車牌', en: 'Plate' }, value: '粵B·D5**8' }],
      printedAt: TEST_TICKET.issuedAt,
      timeZone: 'Asia/Taipei',
      signature: true,
    };
    const exit = structure(decodeOne(profile, exitPassLayout(profile, slip))).flat(2).join('\n');
    expect(exit).toContain('出廠放行條');
    expect(exit).toContain('Exit pass');
    expect(exit).toMatch(/車牌 Plate +粵B·D5\*\*8/);
    expect(exit).toContain('簽字 / Signature');
    const reception = structure(decodeOne(profile, receptionSlipLayout(profile, { ...slip, qr: 'http://store.local/r/1' }))).flat(2).join('\n');
    expect(reception).toContain('接車單');
    expect(reception).toContain('image');
  });

  it('reads printer status bytes: ready, paper near end, paper out, cover open; rejects line noise', () => {
    const ok = { offline: false, coverOpen: false, paperOut: false, paperLow: false, error: false };
    for (const status of [ok, { ...ok, paperLow: true }, { ...ok, paperOut: true, paperLow: true }, { ...ok, coverOpen: true }]) {
      const [a, b, c] = encodeStatus(status);
      expect([a, b, c].every(isStatusByte)).toBe(true);
      const parsed = parseStatus(a, b, c);
      expect(parsed.paperOut).toBe(status.paperOut);
      expect(parsed.coverOpen).toBe(status.coverOpen);
      expect(parsed.paperLow).toBe(status.paperLow);
    }
    expect(canPrint(parseStatus(...encodeStatus({ ...ok, paperLow: true })))).toBe(true);
    expect(statusReason(parseStatus(...encodeStatus({ ...ok, paperLow: true })))).toBe('paper-low');
    expect(canPrint(parseStatus(...encodeStatus({ ...ok, paperOut: true })))).toBe(false);
    expect(statusReason(parseStatus(...encodeStatus({ ...ok, coverOpen: true })))).toBe('cover-open');
    expect([0x00, 0xff, 0x41, 0x0a].some(isStatusByte)).toBe(false);
  });
});
