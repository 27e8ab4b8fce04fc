import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrintJobSummary, WorkshopCommandInput } from '@forecourt/gateway/protocol';
import { PAPER } from '../../gateway/src/adapters/printer/builder.js';
import type { Page } from '../../gateway/src/adapters/printer/document.js';
import { columns } from '../../gateway/src/adapters/printer/text-encoding.js';
import { PrinterEmulator, type PrintedPage } from '../../gateway/src/tools/printer-emulator/printer-emulator.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { bearer, staffToken } from '../support/identities.js';
import { waitFor } from '../support/process.js';

// The workshop's paper with a real gateway and emulated printers on loopback TCP: the desk's
// printer (GB18030, 80 mm) gets the work order when a reception opens, the settlement statement
// when the order is in settlement with its bill, the exit pass on release; the desk prints them
// again (here also on a Big5 58 mm printer); a bad bill changes nothing and prints nothing.

const PUBLIC_URL = 'http://forecourt.local:8080';

interface Order {
  no: string;
  token: string;
  stage: string;
  exitPass: string | null;
  settlement: { total: number; lines: unknown[] } | null;
}

let desk: PrinterEmulator;
let counter: PrinterEmulator;
let gw: TestGateway;
/** An advisor signed in at the desk: opens receptions and enters bills. */
let advisor: Record<string, string>;
let plates = 0;

async function request(method: 'GET' | 'POST', path: string, as: Record<string, string>, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${gw.httpUrl}${path}`, {
    method,
    headers: { ...as, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function command(input: WorkshopCommandInput, as = advisor): Promise<{ status: number; order?: Order; error?: { code: string } }> {
  const answer = await request('POST', '/api/workshop/commands', as, input);
  return { status: answer.status, ...(answer.body as { order?: Order; error?: { code: string } }) };
}

async function run(input: WorkshopCommandInput): Promise<Order> {
  const answer = await command(input);
  if (!answer.order) throw new Error(`refused: ${JSON.stringify(answer)}`);
  return answer.order;
}

async function moveTo(order: Order, ...stages: string[]): Promise<Order> {
  let moved = order;
  for (const to of stages) moved = await run({ action: 'move', order: order.no, to: to as 'washing' });
  return moved;
}

/** A new order carried through the workshop to quality check passed (washing). */
async function washedOrder(): Promise<Order> {
  const order = await run({ action: 'open', plate: `粤B·D${5600 + ++plates}`, model: 'Honda Accord', advisor: '陈静', jobs: [{ title: '刹车片 Brake pads', technicians: ['赵磊'] }] });
  await moveTo(order, 'dispatched');
  await run({ action: 'job-start', order: order.no, job: 1 });
  await run({ action: 'job-finish', order: order.no, job: 1 });
  return moveTo(order, 'quality-check', 'washing');
}

/** Printers print at their own speed: a page is found by what it says, not by how many came before. */
function printedPage(printer: PrinterEmulator, since: number, ...marks: string[]): Promise<PrintedPage> {
  return waitFor(() => printer.printed.slice(since).find((p) => marks.every((m) => p.text.includes(m))), 20_000);
}

/** Every printer has printed (and confirmed) all that was queued for it. */
async function idle(): Promise<void> {
  await waitFor(async () => {
    const { printers } = (await request('GET', '/api/print/printers', advisor)).body as { printers: { queued: number }[] };
    return printers.every((p) => p.queued === 0) ? true : undefined;
  }, 20_000);
}

/** Every text line fits the paper: its runs' columns times their width multiplier. */
function widest(page: Page): number {
  return Math.max(...page.blocks.map((b) => (b.kind === 'text' ? b.runs.reduce((sum, r) => sum + columns(r.text) * r.width, 0) : 0)));
}

function qrPayloads(page: Page): string[] {
  return page.blocks.flatMap((b) => (b.kind === 'qr' ? [b.payload] : []));
}

async function documents(no: string): Promise<{ kind: string; available: boolean; jobs: PrintJobSummary[] }[]> {
  return (await request('GET', `/api/workshop/orders/${no}/documents`, advisor)).body['documents'] as never;
}

beforeAll(async () => {
  desk = new PrinterEmulator({ encoding: 'gb18030' });
  counter = new PrinterEmulator({ encoding: 'big5' });
  const [deskPort, counterPort] = [await desk.listenTcp(0), await counter.listenTcp(0)];
  gw = await startTestGateway({
    configure: (config) => {
      config.devices.printers.push(
        { id: 'printer-desk', transport: { type: 'tcp', host: '127.0.0.1', port: deskPort }, profile: { encoding: 'gb18030', width: 80, qr: 'gs-k' } },
        { id: 'printer-counter', transport: { type: 'tcp', host: '127.0.0.1', port: counterPort }, profile: { encoding: 'big5', width: 58, qr: 'raster' } },
      );
      config.devices.deskPrinter = 'printer-desk';
      config.devices.publicUrl = PUBLIC_URL;
    },
  });
  advisor = bearer(staffToken(gw.gateway, 'advisor', '陈静'));
});

afterAll(async () => {
  await gw?.dispose();
  await desk?.close();
  await counter?.close();
});

describe('the workshop documents on the desk printer', () => {
  it('prints the work order, two copies, when the advisor opens a reception', async () => {
    const since = desk.printed.length;
    const order = await run({
      action: 'open',
      plate: '粤B·D5678',
      model: 'Toyota Camry',
      advisor: '王芳',
      mileageKm: 45210,
      promisedAt: new Date(Date.now() + 3 * 3600_000).toISOString(),
      jobs: [
        { title: '保养 Oil service', technicians: ['张伟'], labourEstimate: 12000, partsEstimate: 38000 },
        { title: '空调检查 A/C check', technicians: [] },
      ],
    });
    const pages = [await printedPage(desk, since, order.no, '客户联 / Customer copy'), await printedPage(desk, since, order.no, '存根联 / Store copy')];
    const [customer, store] = pages.map((p) => p.text);
    for (const text of [customer!, store!]) {
      for (const expected of ['任务委托书', 'Work order', order.no, '粤B·D5678', 'Toyota Camry', '45,210 km', '王芳', '保养 Oil service', '120.00', '380.00', '空调检查 A/C check', '￥500.00', '须经本人同意', '客户签字 / Customer signature']) {
        expect(text, expected).toContain(expected);
      }
    }
    expect(customer).not.toContain('重印');
    for (const { page } of pages) {
      expect(qrPayloads(page)).toEqual([`${PUBLIC_URL}/status/?t=${order.token}`]);
      expect(widest(page)).toBeLessThanOrEqual(PAPER[80].columns);
      expect(page.unknownCommands).toEqual([]);
    }
    // Printed: the printer confirmed it (its answer may come a moment after the paper).
    const workOrder = await waitFor(async () => ((await documents(order.no))[0]?.jobs[0]?.state === 'printed' ? (await documents(order.no))[0] : undefined));
    expect(workOrder).toMatchObject({ kind: 'work-order', available: true, jobs: [{ kind: 'work-order', label: order.no, printer: 'printer-desk', state: 'printed' }] });
  });

  it('prints the settlement statement once the order is in settlement with its bill, and again when the bill changes then', async () => {
    const order = await washedOrder();
    const bill: WorkshopCommandInput = {
      action: 'set-settlement',
      order: order.no,
      lines: [
        { kind: 'labour', title: '更换刹车片工时', qty: 1.5, unitPrice: 18000 },
        { kind: 'part', title: '前刹车片', qty: 1, unitPrice: 42000 },
      ],
    };
    // Entered while the car is washed: nothing prints yet.
    const since = desk.printed.length;
    await run(bill);
    await idle();
    expect(desk.printed.slice(since).filter((p) => p.text.includes('维修结算单'))).toEqual([]);
    await moveTo(order, 'settlement');
    const statement = await printedPage(desk, since, '维修结算单', order.no);
    for (const expected of ['维修结算单', 'Settlement statement', order.no, '更换刹车片工时', '前刹车片', '1.5', '180.00', '270.00', '420.00', '￥690.00']) {
      expect(statement.text, expected).toContain(expected);
    }
    expect(statement.text).toMatch(/应付金额 Total due +￥690\.00/);
    expect(widest(statement.page)).toBeLessThanOrEqual(PAPER[80].columns);

    const again = desk.printed.length;
    await run({ ...bill, discount: 9000 });
    const revised = await printedPage(desk, again, '维修结算单', order.no);
    expect(revised.text).toMatch(/优惠 Discount +90\.00/);
    expect(revised.text).toMatch(/应付金额 Total due +￥600\.00/);
    const settlement = (await documents(order.no)).find((d) => d.kind === 'settlement');
    expect(settlement?.jobs).toHaveLength(2);
  });

  it('refuses a bill with a negative quantity, a price in part-fen or a discount above it: 400, and nothing changes or prints', async () => {
    const order = await moveTo(await washedOrder(), 'settlement');
    const line = { kind: 'part', title: '机油', qty: 4, unitPrice: 8800 } as const;
    const since = desk.printed.length;
    await run({ action: 'set-settlement', order: order.no, lines: [line] });
    await printedPage(desk, since, '维修结算单', order.no, '352.00');
    await idle();
    const before = { order: (await request('GET', `/api/workshop/orders/${order.no}`, advisor)).body, jobs: (await documents(order.no)).flatMap((d) => d.jobs), pages: desk.printed.length };
    const bad = [
      { lines: [{ ...line, qty: -1 }] },
      { lines: [{ ...line, unitPrice: 88.5 }] },
      { lines: [{ ...line, unitPrice: '8800' }] },
      { lines: [] },
    ];
    for (const body of bad) {
      const answer = await command({ action: 'set-settlement', order: order.no, ...body } as never);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.error?.code).toBe('invalid-command');
    }
    const tooMuch = await command({ action: 'set-settlement', order: order.no, lines: [line], discount: 35201 });
    expect(tooMuch).toMatchObject({ status: 400, error: { code: 'invalid-settlement' } });
    await idle();
    expect((await request('GET', `/api/workshop/orders/${order.no}`, advisor)).body).toEqual(before.order);
    expect((await documents(order.no)).flatMap((d) => d.jobs)).toEqual(before.jobs);
    expect(desk.printed.length).toBe(before.pages);
  });

  it('prints the exit pass on release with a code the gate looks up, which a comeback withdraws', async () => {
    const order = await moveTo(await washedOrder(), 'settlement', 'ready');
    const since = desk.printed.length;
    const released = await moveTo(order, 'released');
    const code = released.exitPass!;
    const pass = await printedPage(desk, since, '出厂放行条', order.no);
    expect(code).toMatch(/^EP-[0-9A-F]{16}$/);
    for (const expected of ['出厂放行条', 'Exit pass', order.no, 'Honda Accord', code]) expect(pass.text, expected).toContain(expected);
    expect(pass.text).toMatch(/粤B·D56\d\d/);
    expect(qrPayloads(pass.page)).toEqual([code]);
    expect(qrPayloads(pass.page)[0]).not.toContain(order.token);

    const gate = await request('GET', `/api/workshop/exit-passes/${code.toLowerCase()}`, advisor);
    expect(gate).toMatchObject({ status: 200, body: { pass: { code, no: order.no, model: 'Honda Accord' } } });
    expect((await request('GET', '/api/workshop/exit-passes/EP-0000000000000000', advisor)).status).toBe(404);
    expect((await request('GET', '/api/workshop/exit-passes/garbage', advisor)).status).toBe(404);
    // Back as a comeback: the old pass no longer lets the car out, and a new work order prints.
    const comeback = desk.printed.length;
    await moveTo(order, 'reception');
    await printedPage(desk, comeback, '任务委托书', order.no);
    expect((await request('GET', `/api/workshop/exit-passes/${code}`, advisor)).status).toBe(404);
  });

  it('prints a document again from the desk, marked 重印, also on another printer; refuses what is not there yet or not allowed', async () => {
    const order = await run({ action: 'open', plate: '粤A·12345', model: 'BYD Han EV', advisor: '李强', jobs: [{ title: '轮胎更换 Tyres', labourEstimate: 5000 }] });
    const [first, ...others] = (await documents(order.no))[0]!.jobs;
    expect(others).toEqual([]);

    const since = desk.printed.length;
    expect((await request('POST', `/api/workshop/orders/${order.no}/documents/work-order/print`, advisor, {})).status).toBe(200);
    for (const copy of ['客户联', '存根联']) await printedPage(desk, since, order.no, copy, '重印', 'REPRINT');
    const again = (await documents(order.no))[0]!.jobs[0]!;
    expect(again).toMatchObject({ kind: 'work-order', reprintOf: first!.id });
    const svg = await fetch(`${gw.httpUrl}/api/print/jobs/${again.id}/preview.svg`, { headers: advisor });
    expect(svg.headers.get('content-type')).toContain('image/svg+xml');
    expect(await svg.text()).toContain('任务委托书');

    // The counter's Big5 58 mm printer: traditional Chinese, the mainland plate's province in its Big5 form.
    expect((await request('POST', `/api/workshop/orders/${order.no}/documents/work-order/print`, advisor, { printer: 'printer-counter' })).status).toBe(200);
    const big5 = await printedPage(counter, 0, '任務委託書', '客戶聯 / Customer copy');
    for (const expected of [ '粵A·12345', 'BYD Han EV', '50.00', '須經本人同意']) expect(big5.text, expected).toContain(expected);
    expect(widest(big5.page)).toBeLessThanOrEqual(PAPER[58].columns);
    expect(big5.page.blocks.some((b) => b.kind === 'image')).toBe(true);

    expect(await request('POST', `/api/workshop/orders/${order.no}/documents/settlement/print`, advisor, {})).toMatchObject({ status: 409, body: { error: { code: 'no-document' } } });
    expect((await request('POST', `/api/workshop/orders/${order.no}/documents/receipt/print`, advisor, {})).status).toBe(400);
    expect((await request('POST', `/api/workshop/orders/${order.no}/documents/work-order/print`, advisor, { printer: 'nope' })).status).toBe(404);
    const technician = bearer(staffToken(gw.gateway, 'technician'));
    expect((await request('POST', `/api/workshop/orders/${order.no}/documents/work-order/print`, technician, {})).status).toBe(403);
    expect((await command({ action: 'set-settlement', order: order.no, lines: [{ kind: 'other', title: 'x', qty: 1, unitPrice: 1 }] }, technician)).status).toBe(403);
  });
});

describe('a store without a desk printer', () => {
  let bare: TestGateway;
  beforeAll(async () => {
    bare = await startTestGateway();
  });
  afterAll(async () => {
    await bare?.dispose();
  });

  it('opens the reception all the same, and says why the work order cannot print', async () => {
    const res = await fetch(`${bare.httpUrl}/api/workshop/commands`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bare.admin },
      body: JSON.stringify({ action: 'open', plate: '粤B·D5678', model: 'Toyota Camry', advisor: '王芳' }),
    });
    expect(res.status).toBe(200);
    const { order } = (await res.json()) as { order: Order };
    const print = await fetch(`${bare.httpUrl}/api/workshop/orders/${order.no}/documents/work-order/print`, { method: 'POST', headers: { 'content-type': 'application/json', ...bare.admin }, body: '{}' });
    expect(print.status).toBe(409);
    expect(await print.json()).toMatchObject({ error: { code: 'no-printer' } });
  });
});
