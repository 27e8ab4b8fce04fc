import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ScanResult, WorkshopBoard, WorkshopBoardChange, topics, type WorkshopCommandInput } from '@forecourt/gateway/protocol';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { connectClient, nextMessage } from '../support/mqtt.js';
import { command as queueCommand } from '../support/queue-api.js';

interface Answer {
  status: number;
  body: {
    event?: { type: string; stage?: { from: string | null; to: string } };
    order?: { no: string; token: string; stage: string; plate: string; customerRef: string | null; ticketId: string | null; next: string[]; statusPath: string; jobs: { labourMin: number; state: string }[] };
    error?: { code: string; message: string };
  };
}

async function workshop(gw: TestGateway, body: WorkshopCommandInput | Record<string, unknown>, sender?: string): Promise<Answer> {
  const res = await fetch(`${gw.httpUrl}/api/workshop/commands`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(sender ? { 'x-forecourt-sender': sender } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Answer['body'] };
}

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const VEHICLE = { model: 'Toyota Camry', advisor: '王芳', jobs: [{ title: 'Oil service', technicians: ['张伟'] }] };

describe('workshop on the bus and over HTTP', () => {
  let gw: TestGateway;
  let client: MqttClient;

  beforeAll(async () => {
    gw = await startTestGateway({ configure: (config) => (config.workshop.board.layout = 'workshop') });
    client = await connectClient(gw.mqttUrl);
  });
  afterAll(async () => {
    await client?.endAsync();
    await gw?.dispose();
  });
  afterEach(() => client.removeAllListeners('message'));

  const boardTopic = () => topics.workshopBoard(gw.config.store.id);

  it('publishes the retained board: the configured layout and today\'s orders, masked, without names or keys', async () => {
    const opened = await workshop(gw, { action: 'open', ...VEHICLE, plate: '粵B·D5678', customerRef: 'member-0042', promisedAt: new Date(Date.now() + 6 * 3600_000).toISOString() }, 'desk:1');
    expect(opened.status).toBe(200);
    expect(opened.body.event).toMatchObject({ type: 'order.opened', stage: { from: null, to: 'reception' } });
    const order = opened.body.order!;
    expect(order).toMatchObject({ plate: '粵B·D5678', customerRef: 'member-0042', stage: 'reception', next: ['dispatched'], statusPath: `/status/?t=${order.token}` });

    // A subscriber that comes later still gets the board at once (retained).
    const late = await connectClient(gw.mqttUrl);
    const message = await nextMessage(late, boardTopic());
    await late.endAsync();
    expect(message.retain).toBe(true);
    const text = message.payload.toString();
    const board = WorkshopBoard.parse(JSON.parse(text));
    expect(board.layout).toBe('workshop');
    expect(board.orders.find((o) => o.no === order.no)).toMatchObject({ plate: '粵B·D5**8', model: 'Toyota Camry', advisor: '王芳', stage: 'reception', late: 'on-time' });
    for (const secret of ['D5678', 'member-0042', order.token, '张伟']) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/"id"|"token"|"customerRef"|"ticketId"/);
  });

  it('sends the screens only the row that changed, and keeps the retained board current for the next screen', async () => {
    const { body } = await workshop(gw, { action: 'open', ...VEHICLE, plate: '粤A·12345' });
    const no = body.order!.no;
    await workshop(gw, { action: 'move', order: no, to: 'dispatched' });
    const before = WorkshopBoard.parse(JSON.parse((await nextMessage(client, boardTopic())).payload.toString()));
    await client.subscribeAsync(topics.workshopBoardChanges(gw.config.store.id), { qos: 1 });
    const change = nextMessage(client, topics.workshopBoardChanges(gw.config.store.id));
    const moved = await workshop(gw, { action: 'job-start', order: no, job: 1 }, 'bay:2');
    expect(moved.body.event).toMatchObject({ type: 'job.started', stage: { from: 'dispatched', to: 'in-repair' } });
    const message = await change;
    expect(message.retain).toBe(false);
    const delta = WorkshopBoardChange.parse(JSON.parse(message.payload.toString()));
    expect(delta.orders.map((o) => [o.no, o.stage])).toEqual([[no, 'in-repair']]);
    expect(delta.rev).toBeGreaterThan(before.rev);
    expect(message.payload.toString()).not.toMatch(/12345|"token"|"customerRef"/);

    const late = await connectClient(gw.mqttUrl);
    const retained = WorkshopBoard.parse(JSON.parse((await nextMessage(late, boardTopic())).payload.toString()));
    await late.endAsync();
    expect(retained.rev).toBe(delta.rev);
    expect(retained.orders.find((o) => o.no === no)?.stage).toBe('in-repair');
  });

  it('refuses bad and illegal commands with a coded reason and changes nothing', async () => {
    const { body } = await workshop(gw, { action: 'open', ...VEHICLE, plate: '粤C·55555' });
    const no = body.order!.no;
    const before = await getJson(`${gw.httpUrl}/api/workshop/orders/${no}`);

    const cases: [Record<string, unknown>, number, string][] = [
      [{ action: 'teleport', order: no }, 400, 'invalid-command'],
      [{ action: 'move', order: no, to: 'washing', extra: 1 }, 400, 'invalid-command'],
      [{ action: 'open', ...VEHICLE, plate: '<script>' }, 400, 'invalid-command'],
      [{ action: 'move', order: no, to: 'warp' }, 400, 'invalid-command'],
      [{ action: 'move', order: '250101-999', to: 'dispatched' }, 404, 'order-not-found'],
      [{ action: 'move', order: no, to: 'washing' }, 409, 'illegal-transition'],
      [{ action: 'job-start', order: no, job: 1 }, 409, 'order-wrong-stage'],
      [{ action: 'job-start', order: no, job: 9 }, 409, 'order-wrong-stage'],
      [{ action: 'open', ...VEHICLE, plate: '粤c 55555' }, 409, 'plate-has-open-order'],
      [{ action: 'open', ...VEHICLE, plate: '粤C·55556', ticketId: '00000000-0000-4000-8000-000000000000' }, 404, 'ticket-not-found'],
      [{ action: 'set-promised', order: no, promisedAt: '2001-01-01T00:00:00Z' }, 400, 'promised-in-past'],
    ];
    for (const [cmd, status, code] of cases) {
      const answer = await workshop(gw, cmd);
      expect([answer.status, answer.body.error?.code], JSON.stringify(cmd)).toEqual([status, code]);
      expect(answer.body.error?.message).toBeTruthy();
    }
    const illegal = await workshop(gw, { action: 'move', order: no, to: 'washing' });
    expect(illegal.body.error?.message).toContain('dispatched');
    expect(await getJson(`${gw.httpUrl}/api/workshop/orders/${no}`)).toEqual(before);
    expect((await getJson(`${gw.httpUrl}/api/workshop/orders`)).body['orders']).not.toContainEqual(expect.objectContaining({ plate: '粤C·55556' }));
  });

  it('opens a reception from the queue ticket being served, for the ticket\'s member; the ticket\'s QR then shows the order', async () => {
    const issued = await queueCommand(gw.httpUrl, { action: 'issue', service: 'repair', memberRef: 'card-777' });
    const ticketId = issued.body.ticket!.id;
    expect((await getJson(`${gw.httpUrl}/api/workshop/orders/by-ticket/${ticketId}`)).status).toBe(404);
    const opened = await workshop(gw, { action: 'open', ...VEHICLE, plate: '粤D·77777', ticketId });
    expect(opened.body.order).toMatchObject({ ticketId, customerRef: 'card-777' });
    const status = await getJson(`${gw.httpUrl}/api/workshop/orders/by-ticket/${ticketId}`);
    expect(status.status).toBe(200);
    expect(status.body['order']).toMatchObject({ no: opened.body.order!.no, plate: '粤D·77**7' });
    expect(JSON.stringify(status.body)).not.toContain('card-777');
  });

  it('shows one order by its token, masked, and nothing for a wrong token', async () => {
    const { body } = await workshop(gw, { action: 'open', ...VEHICLE, plate: '粤E·E1234' });
    const order = body.order!;
    await workshop(gw, { action: 'move', order: order.no, to: 'dispatched' });
    const status = await getJson(`${gw.httpUrl}/api/workshop/orders/by-token/${order.token}`);
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({
      order: { no: order.no, plate: '粤E·E1**4', stage: 'dispatched' },
      timeline: [{ stage: 'reception' }, { stage: 'dispatched' }],
      jobs: [{ no: 1, title: 'Oil service', state: 'pending' }],
    });
    const text = JSON.stringify(status.body);
    for (const secret of [order.token, 'E1234', '张伟']) expect(text).not.toContain(secret);
    const flipped = order.token.slice(0, -1) + (order.token.endsWith('A') ? 'B' : 'A');
    for (const bad of [flipped, 'short', order.no]) {
      const answer = await getJson(`${gw.httpUrl}/api/workshop/orders/by-token/${encodeURIComponent(bad)}`);
      expect([answer.status, (answer.body['error'] as { code: string }).code]).toEqual([404, 'order-not-found']);
    }
  });

  it('pairs a serial scanner\'s card and action into a command and tells the bay what happened', async () => {
    const { body } = await workshop(gw, { action: 'open', ...VEHICLE, plate: '粤F·F9999' });
    const no = body.order!.no;
    await workshop(gw, { action: 'move', order: no, to: 'dispatched' });
    const scanner = await connectClient(gw.mqttUrl, 'test-scanner-bay-7');
    const results = topics.deviceScanResult(gw.config.store.id, 'bay-7');
    await client.subscribeAsync(results, { qos: 1 });
    const scan = async (code: string) => {
      const result = nextMessage(client, results);
      await scanner.publishAsync(topics.deviceScan(gw.config.store.id, 'bay-7'), JSON.stringify({ code, at: new Date().toISOString() }), { qos: 1 });
      return ScanResult.parse(JSON.parse((await result).payload.toString()));
    };
    expect(await scan('ACT-START')).toMatchObject({ ok: false, code: 'card-first' });
    expect(await scan(`${no}/1`)).toMatchObject({ ok: true, code: 'card-read', order: no, job: 1 });
    expect(await scan('ACT-START')).toMatchObject({ ok: true, code: 'done', order: no, job: 1, stage: 'in-repair' });
    expect(await scan(`${no}/1`)).toMatchObject({ code: 'card-read' });
    expect(await scan('ACT-START')).toMatchObject({ ok: false, code: 'job-wrong-state', order: no });
    expect(await scan('LOREM')).toMatchObject({ ok: false, code: 'unknown-barcode' });
    const order = await getJson(`${gw.httpUrl}/api/workshop/orders/${no}`);
    expect(order.body['order']).toMatchObject({ stage: 'in-repair', history: expect.arrayContaining([expect.objectContaining({ stage: 'in-repair', by: 'scanner:bay-7' })]) });
    await scanner.endAsync();
  });

  it('refuses a scan that is not a barcode at the broker, before it reaches the workshop', async () => {
    const rogue = await connectClient(gw.mqttUrl, 'test-rogue-scanner');
    const closed = new Promise<void>((resolve) => rogue.once('close', () => resolve()));
    rogue.publish(topics.deviceScan(gw.config.store.id, 'bay-8'), JSON.stringify({ code: 'two words', at: new Date().toISOString() }), { qos: 1 });
    await closed;
    await rogue.endAsync(true);
  });
});
