import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ScanResult, WorkshopBoard, WorkshopBoardChange, topics, type WorkshopCommandInput } from '@forecourt/gateway/protocol';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { connectClient, nextMessage } from '../support/mqtt.js';
import { command as queueCommand } from '../support/queue-api.js';
import { bearer, deviceLogin, staffToken } from '../support/identities.js';

interface Answer {
  status: number;
  body: {
    event?: { type: string; stage?: { from: string | null; to: string } };
    order?: { no: string; token: string; stage: string; plate: string; customerRef: string | null; ticketId: string | null; next: string[]; statusPath: string; jobs: { labourMin: number; state: string }[] };
    error?: { code: string; message: string };
  };
}

/** One workshop command, sent with the sender's credentials (the author is taken from them). */
async function workshop(gw: TestGateway, body: WorkshopCommandInput | Record<string, unknown>, as: Record<string, string>): Promise<Answer> {
  const res = await fetch(`${gw.httpUrl}/api/workshop/commands`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...as },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Answer['body'] };
}

/** A GET; without headers, as the customer's phone does it. */
async function getJson(url: string, as: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { headers: as });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const VEHICLE = { model: 'Toyota Camry', advisor: '王芳', jobs: [{ title: 'Oil service', technicians: ['张伟'] }] };

describe('workshop on the bus and over HTTP', () => {
  let gw: TestGateway;
  /** The lounge board's screen. */
  let client: MqttClient;
  /** The service advisor at the desk, and a technician at a bay. */
  let advisor: Record<string, string>;
  let technician: Record<string, string>;
  let boards = 0;
  const boardLogin = () => deviceLogin(gw.gateway, `board-${++boards}`, 'board');

  beforeAll(async () => {
    gw = await startTestGateway({ configure: (config) => (config.workshop.board.layout = 'workshop') });
    advisor = bearer(staffToken(gw.gateway, 'advisor'));
    technician = bearer(staffToken(gw.gateway, 'technician'));
    client = await connectClient(gw.mqttUrl, boardLogin());
  });
  afterAll(async () => {
    await client?.endAsync();
    await gw?.dispose();
  });
  afterEach(() => client.removeAllListeners('message'));

  const boardTopic = () => topics.workshopBoard(gw.config.store.id);

  it('publishes the retained board: the configured layout and today\'s orders, masked, without names or keys', async () => {
    const opened = await workshop(gw, { action: 'open', ...VEHICLE, plate: '粵B·D5678', customerRef: 'member-0042', promisedAt: new Date(Date.now() + 6 * 3600_000).toISOString() }, advisor);
    expect(opened.status).toBe(200);
    expect(opened.body.event).toMatchObject({ type: 'order.opened', stage: { from: null, to: 'reception' } });
    const order = opened.body.order!;
    expect(order).toMatchObject({ plate: '粵B·D5678', customerRef: 'member-0042', stage: 'reception', next: ['dispatched'], statusPath: `/status/?t=${order.token}` });

    // A subscriber that comes later still gets the board at once (retained).
    const late = await connectClient(gw.mqttUrl, boardLogin());
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
    const { body } = await workshop(gw, { action: 'open', ...VEHICLE, plate: '粤A·12345' }, advisor);
    const no = body.order!.no;
    await workshop(gw, { action: 'move', order: no, to: 'dispatched' }, advisor);
    const before = WorkshopBoard.parse(JSON.parse((await nextMessage(client, boardTopic())).payload.toString()));
    await client.subscribeAsync(topics.workshopBoardChanges(gw.config.store.id), { qos: 1 });
    const change = nextMessage(client, topics.workshopBoardChanges(gw.config.store.id));
    // A claimed sender is ignored: the history names whoever signed the request.
    const moved = await workshop(gw, { action: 'job-start', order: no, job: 1 }, { ...technician, 'x-forecourt-sender': 'bay:2' });
    expect(moved.body.event).toMatchObject({ type: 'job.started', stage: { from: 'dispatched', to: 'in-repair' } });
    const me = (await getJson(`${gw.httpUrl}/api/auth/me`, technician)).body as { principal: { kind: string; staffNo: string; role: string } };
    expect(me.principal).toMatchObject({ kind: 'staff', role: 'technician' });
    const history = ((await getJson(`${gw.httpUrl}/api/workshop/orders/${no}`, advisor)).body['order'] as { history: { stage: string; by: string }[] }).history;
    expect(history.at(-1)).toMatchObject({ stage: 'in-repair', by: `staff:${me.principal.staffNo}` });
    const message = await change;
    expect(message.retain).toBe(false);
    const delta = WorkshopBoardChange.parse(JSON.parse(message.payload.toString()));
    expect(delta.orders.map((o) => [o.no, o.stage])).toEqual([[no, 'in-repair']]);
    expect(delta.rev).toBeGreaterThan(before.rev);
    expect(message.payload.toString()).not.toMatch(/12345|"token"|"customerRef"/);

    const late = await connectClient(gw.mqttUrl, boardLogin());
    const retained = WorkshopBoard.parse(JSON.parse((await nextMessage(late, boardTopic())).payload.toString()));
    await late.endAsync();
    expect(retained.rev).toBe(delta.rev);
    expect(retained.orders.find((o) => o.no === no)?.stage).toBe('in-repair');
  });

  it('refuses bad and illegal commands with a coded reason and changes nothing', async () => {
    const { body } = await workshop(gw, { action: 'open', ...VEHICLE, plate: '粤C·55555' }, advisor);
    const no = body.order!.no;
    const before = await getJson(`${gw.httpUrl}/api/workshop/orders/${no}`, advisor);

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
      const answer = await workshop(gw, cmd, advisor);
      expect([answer.status, answer.body.error?.code], JSON.stringify(cmd)).toEqual([status, code]);
      expect(answer.body.error?.message).toBeTruthy();
    }
    const illegal = await workshop(gw, { action: 'move', order: no, to: 'washing' }, advisor);
    expect(illegal.body.error?.message).toContain('dispatched');
    // Nobody, and a role the action is not for (a receptionist opens orders but does not move them).
    const anonymous = await workshop(gw, { action: 'move', order: no, to: 'dispatched' }, {});
    expect([anonymous.status, anonymous.body.error?.code]).toEqual([401, 'sign-in-required']);
    const receptionist = await workshop(gw, { action: 'move', order: no, to: 'dispatched' }, bearer(staffToken(gw.gateway, 'receptionist')));
    expect([receptionist.status, receptionist.body.error?.code]).toEqual([403, 'forbidden']);
    expect(await getJson(`${gw.httpUrl}/api/workshop/orders/${no}`, advisor)).toEqual(before);
    expect((await getJson(`${gw.httpUrl}/api/workshop/orders`, advisor)).body['orders']).not.toContainEqual(expect.objectContaining({ plate: '粤C·55556' }));
  });

  it('opens a reception from the queue ticket being served, for the ticket\'s member; the ticket\'s QR then shows the order', async () => {
    // A member's ticket: the member comes from a card check or from staff (here the desk), never from a kiosk's body.
    const issued = await queueCommand(gw.httpUrl, { action: 'issue', service: 'repair', memberRef: 'card-777' }, gw.admin);
    const ticketId = issued.body.ticket!.id;
    expect((await getJson(`${gw.httpUrl}/api/workshop/orders/by-ticket/${ticketId}`)).status).toBe(404);
    const opened = await workshop(gw, { action: 'open', ...VEHICLE, plate: '粤D·77777', ticketId }, advisor);
    expect(opened.body.order).toMatchObject({ ticketId, customerRef: 'card-777' });
    const status = await getJson(`${gw.httpUrl}/api/workshop/orders/by-ticket/${ticketId}`);
    expect(status.status).toBe(200);
    expect(status.body['order']).toMatchObject({ no: opened.body.order!.no, plate: '粤D·77**7' });
    expect(JSON.stringify(status.body)).not.toContain('card-777');
  });

  it('shows one order by its token, masked, and nothing for a wrong token', async () => {
    const { body } = await workshop(gw, { action: 'open', ...VEHICLE, plate: '粤E·E1234' }, advisor);
    const order = body.order!;
    await workshop(gw, { action: 'move', order: order.no, to: 'dispatched' }, advisor);
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
    const { body } = await workshop(gw, { action: 'open', ...VEHICLE, plate: '粤F·F9999' }, advisor);
    const no = body.order!.no;
    await workshop(gw, { action: 'move', order: no, to: 'dispatched' }, advisor);
    // A remote scanner agent with the credentials provisioned for it; the results are for it alone.
    const scanner = await connectClient(gw.mqttUrl, deviceLogin(gw.gateway, 'bay-7', 'barcode-scanner', 'bay-7'));
    const results = topics.deviceScanResult(gw.config.store.id, 'bay-7');
    await scanner.subscribeAsync(results, { qos: 1 });
    await expect(client.subscribeAsync(results, { qos: 1 })).rejects.toThrow();
    const scan = async (code: string) => {
      const result = nextMessage(scanner, results);
      await scanner.publishAsync(topics.deviceScan(gw.config.store.id, 'bay-7'), JSON.stringify({ code, at: new Date().toISOString() }), { qos: 1 });
      return ScanResult.parse(JSON.parse((await result).payload.toString()));
    };
    expect(await scan('ACT-START')).toMatchObject({ ok: false, code: 'card-first' });
    expect(await scan(`${no}/1`)).toMatchObject({ ok: true, code: 'card-read', order: no, job: 1 });
    expect(await scan('ACT-START')).toMatchObject({ ok: true, code: 'done', order: no, job: 1, stage: 'in-repair' });
    expect(await scan(`${no}/1`)).toMatchObject({ code: 'card-read' });
    expect(await scan('ACT-START')).toMatchObject({ ok: false, code: 'job-wrong-state', order: no });
    expect(await scan('LOREM')).toMatchObject({ ok: false, code: 'unknown-barcode' });
    const order = await getJson(`${gw.httpUrl}/api/workshop/orders/${no}`, advisor);
    expect(order.body['order']).toMatchObject({ stage: 'in-repair', history: expect.arrayContaining([expect.objectContaining({ stage: 'in-repair', by: 'barcode-scanner:bay-7' })]) });
    await scanner.endAsync();
  });

  it('refuses a scan that is not a barcode at the broker, before it reaches the workshop', async () => {
    // A provisioned scanner, on its own topic: only the payload is wrong.
    const rogue = await connectClient(gw.mqttUrl, deviceLogin(gw.gateway, 'test-rogue-scanner', 'barcode-scanner', 'bay-8'));
    const closed = new Promise<void>((resolve) => rogue.once('close', () => resolve()));
    rogue.publish(topics.deviceScan(gw.config.store.id, 'test-rogue-scanner'), JSON.stringify({ code: 'two words', at: new Date().toISOString() }), { qos: 1 });
    await closed;
    await rogue.endAsync(true);
  });
});
