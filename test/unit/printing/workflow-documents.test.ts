import { describe, expect, it } from 'vitest';
import { PAPER } from '../../../gateway/src/adapters/printer/builder.js';
import { EscPosDecoder } from '../../../gateway/src/adapters/printer/decoder.js';
import { pageText, type Page } from '../../../gateway/src/adapters/printer/document.js';
import { ORDER_DOCUMENTS, type OrderDocument } from '../../../gateway/src/adapters/printer/documents/index.js';
import type { DocumentLayout } from '../../../gateway/src/adapters/printer/layout/document-layout.js';
import { renderDocument } from '../../../gateway/src/adapters/printer/layout/render.js';
import { wrap } from '../../../gateway/src/adapters/printer/layout/wrap.js';
import { columns } from '../../../gateway/src/adapters/printer/text-encoding.js';
import type { PrinterProfile } from '../../../gateway/src/config/devices.js';

// The workshop's documents decoded back from their bytes by the project's own decoder, as the
// printer would print them: each field where it belongs, in the printer's Chinese (GB18030:
// simplified, Big5: traditional) with English, every line within the paper.

const TZ = 'Asia/Shanghai';
const ORDER: OrderDocument = {
  store: { 'zh-Hans': '广州天河店', 'zh-Hant': '廣州天河店', en: 'Tianhe Store' },
  no: '250301-007',
  plate: '粤B·D5678',
  model: 'Toyota Camry 2.5L',
  mileageKm: 45210,
  advisor: '王芳',
  receivedAt: '2025-03-01T01:32:00.000Z',
  promisedAt: '2025-03-01T08:00:00.000Z',
  releasedAt: '2025-03-01T09:10:00.000Z',
  statusUrl: 'http://forecourt.local:8080/status/?t=AbCdEfGhIjKlMnOpQrStUv',
  exitPass: 'EP-0123456789ABCDEF',
  jobs: [
    { no: 1, title: 'Oil service', labourEstimate: 12000, partsEstimate: 38000 },
    { no: 2, title: 'Brake pads front and rear, discs checked', labourEstimate: null, partsEstimate: null },
  ],
  estimate: 50000,
  settlement: {
    at: '2025-03-01T08:30:00.000Z',
    lines: [
      { title: 'Brake pad labour', qty: 1.5, unitPrice: 18000, amount: 27000 },
      { title: 'Engine oil 5W-30', qty: 4.25, unitPrice: 8833, amount: 37540 },
      { title: 'Disposal fee', qty: 1, unitPrice: 1000, amount: 1000 },
    ],
    labour: 27000,
    parts: 37540,
    other: 1000,
    subtotal: 65540,
    discount: 5540,
    total: 60000,
  },
  reprint: false,
};

const PROFILES = [
  { encoding: 'gb18030', width: 58, qr: 'gs-k' },
  { encoding: 'gb18030', width: 80, qr: 'gs-k' },
  { encoding: 'big5', width: 58, qr: 'gs-k' },
  { encoding: 'big5', width: 80, qr: 'raster' },
] as const satisfies PrinterProfile[];

function print(layout: DocumentLayout, profile: PrinterProfile, data: object = ORDER): Page[] {
  return new EscPosDecoder(profile.encoding).push(renderDocument(layout, data, profile, TZ)).flatMap((e) => (e.type === 'page' ? [e.page] : []));
}

/** Text lines as printed, each with its width on paper (columns × size). */
function lines(page: Page): { text: string; width: number }[] {
  return page.blocks.flatMap((b) => (b.kind === 'text' ? [{ text: b.runs.map((r) => r.text).join(''), width: b.runs.reduce((s, r) => s + columns(r.text) * r.width, 0) }] : []));
}

/** The words a document prints in each of the printer's Chinese scripts. */
const SCRIPT = {
  gb18030: { workOrder: '任务委托书', customerCopy: '客户联 / Customer copy', storeCopy: '存根联 / Store copy', mileage: '进厂里程 Mileage in', consent: '须经本人同意', settlement: '维修结算单', total: '应付金额 Total due', discount: '优惠 Discount', exit: '出厂放行条', released: '放行时间 Released', plate: '粤B·D5678' },
  big5: { workOrder: '任務委託書', customerCopy: '客戶聯 / Customer copy', storeCopy: '存根聯 / Store copy', mileage: '進廠里程 Mileage in', consent: '須經本人同意', settlement: '維修結算單', total: '應付金額 Total due', discount: '優惠 Discount', exit: '出廠放行條', released: '放行時間 Released', plate: '粵B·D5678' },
} as const;

describe.each(PROFILES)('workshop documents on $encoding $width mm ($qr)', (profile) => {
  const words = SCRIPT[profile.encoding];
  const fits = (page: Page) => {
    expect(page.unknownCommands).toEqual([]);
    for (const line of lines(page)) expect(line.width, line.text).toBeLessThanOrEqual(PAPER[profile.width].columns);
  };
  const qr = (page: Page) => (profile.qr === 'gs-k' ? page.blocks.flatMap((b) => (b.kind === 'qr' ? [b.payload] : [])) : page.blocks.filter((b) => b.kind === 'image').map(() => 'image'));

  it('work order: a copy for the customer and one for the store, every field, estimates, terms, signature, status QR', () => {
    const pages = print(ORDER_DOCUMENTS['work-order'], profile);
    expect(pages.map((p) => p.cut)).toEqual(['partial', 'partial']);
    pages.forEach(fits);
    const [customer, store] = pages.map(pageText);
    expect(customer).toContain(words.customerCopy);
    expect(store).toContain(words.storeCopy);
    const text = customer!;
    for (const expected of [words.workOrder, 'Work order', '250301-007', words.plate, 'Toyota Camry 2.5L', words.mileage, '45,210 km', '2025-03-01 09:32', '2025-03-01 16:00', '王芳', 'Oil service', '120.00', '380.00', '￥500.00', words.consent, 'Customer signature']) {
      expect(text, expected).toContain(expected);
    }
    // The second job's long title wraps inside its column; its unknown estimates print nothing.
    expect(text).toMatch(/Brake pads front/);
    expect(text).not.toContain('REPRINT');
    expect(qr(pages[0]!)).toEqual([profile.qr === 'gs-k' ? ORDER.statusUrl : 'image']);
  });

  it('settlement statement: the lines, labour, parts, other, discount and the total due', () => {
    const [page, ...more] = print(ORDER_DOCUMENTS.settlement, profile);
    expect(more).toEqual([]);
    fits(page!);
    const text = pageText(page!);
    for (const expected of [words.settlement, 'Settlement statement', '250301-007', words.plate, 'Brake pad labour', 'Engine oil 5W-30', '4.25', '375.40', 'Disposal fee', '10.00', '655.40']) {
      expect(text, expected).toContain(expected);
    }
    // The unit price needs 80 mm paper.
    expect(text.includes('88.33')).toBe(profile.width === 80);
    expect(text).toMatch(new RegExp(`${words.discount} +55\\.40`));
    expect(text).toMatch(new RegExp(`${words.total} +￥600\\.00`));
  });

  it('exit pass: the plate large, the reception number, release time and the pass code as QR and text', () => {
    const [page, ...more] = print(ORDER_DOCUMENTS['exit-pass'], profile);
    expect(more).toEqual([]);
    fits(page!);
    const text = pageText(page!);
    for (const expected of [words.exit, 'Exit pass', '250301-007', words.released, '2025-03-01 17:10', 'EP-0123456789ABCDEF']) expect(text, expected).toContain(expected);
    const plate = page!.blocks.find((b) => b.kind === 'text' && b.runs.some((r) => r.text === words.plate));
    expect(plate).toMatchObject({ align: 'center', runs: [{ width: 2, height: 2, bold: true }] });
    expect(qr(page!)).toEqual([profile.qr === 'gs-k' ? 'EP-0123456789ABCDEF' : 'image']);
  });
});

describe('document rendering', () => {
  const profile: PrinterProfile = { encoding: 'gb18030', width: 80, qr: 'gs-k' };

  it('prints the settlement statement exactly as designed (golden text, 80 mm, GB18030)', () => {
    const [page] = print(ORDER_DOCUMENTS.settlement, profile, { ...ORDER, reprint: true });
    expect(lines(page!).map((l) => l.text)).toEqual([
      '广州天河店',
      'Tianhe Store',
      '维修结算单',
      'Settlement statement',
      '重印',
      'REPRINT',
      '250301-007',
      '------------------------------------------------',
      '车牌 Plate                            粤B·D5678',
      '车型 Model                     Toyota Camry 2.5L',
      '服务顾问 Advisor                            王芳',
      '结算时间 Settled                2025-03-01 16:30',
      '------------------------------------------------',
      '项目                          数量   单价   金额',
      'Item                           Qty  Price Amount',
      '------------------------------------------------',
      'Brake pad labour               1.5 180.00 270.00',
      'Engine oil 5W-30              4.25  88.33 375.40',
      'Disposal fee                     1  10.00  10.00',
      '------------------------------------------------',
      '工时费 Labour                             270.00',
      '材料费 Parts                              375.40',
      '其他费用 Other                             10.00',
      '小计 Subtotal                             655.40',
      '优惠 Discount                              55.40',
      '应付金额 Total due                      ￥600.00',
      '------------------------------------------------',
      '客户签字 / Customer signature: _________________',
      '感谢您的惠顾',
      'Thank you for your visit',
    ]);
  });

  it('leaves out rows whose value is not known, and English only on an ASCII printer', () => {
    const bare = { ...ORDER, mileageKm: null, promisedAt: null, estimate: null, jobs: [] };
    const text = pageText(print(ORDER_DOCUMENTS['work-order'], profile, bare)[0]!);
    expect(text).not.toContain('Mileage in');
    expect(text).not.toContain('Promised');
    expect(text).not.toContain('Estimate');
    expect(text).toContain('维修项目待定');
    // Headers keep their words whole even when no value widens their column.
    const noEstimates = { ...ORDER, estimate: null, jobs: [{ no: 1, title: 'Oil service', labourEstimate: null, partsEstimate: null }] };
    expect(lines(print(ORDER_DOCUMENTS['work-order'], profile, noEstimates)[0]!).map((l) => l.text)).toContainEqual(expect.stringMatching(/^# 维修项目 +工时费 材料费$/));
    const ascii = print(ORDER_DOCUMENTS.settlement, { encoding: 'ascii', width: 58, qr: 'gs-k' })[0]!;
    expect(ascii.blocks.every((b) => b.kind !== 'text' || b.runs.every((r) => !r.doubleByte))).toBe(true);
    expect(pageText(ascii)).toMatch(/Total due +CNY 600\.00/);
  });

  it('refuses a layout that names a field the data does not have', () => {
    expect(() => renderDocument({ blocks: [{ kind: 'fields', rows: [{ label: ORDER.store, value: { field: 'order.vin' } }] }] }, ORDER, profile, TZ)).toThrow(/order\.vin/);
  });

  it('wraps to the width: Chinese anywhere (never before its punctuation), Latin between words, an overlong word inside', () => {
    expect(wrap('本人确认以上车辆，及维修项目', 8)).toEqual(['本人确认', '以上车', '辆，及维', '修项目']);
    expect(wrap('the settlement statement is final', 12)).toEqual(['the', 'settlement', 'statement is', 'final']);
    expect(wrap('EP-0123456789ABCDEF', 8)).toEqual(['EP-01234', '56789ABC', 'DEF']);
    for (const line of wrap('保养 Oil service and 刹车片更换 brake pads', 9)) expect(columns(line)).toBeLessThanOrEqual(9);
  });
});
