import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KioskSession, topics, type CardTap } from '@forecourt/gateway/protocol';
import { encodeCard } from '../../gateway/src/domain/members/index.js';
import type { DmsSimulator } from '../../gateway/src/tools/dms-simulator/index.js';
import { openDatabase } from '../../gateway/src/store/database.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { drained, relayTo, startDms } from '../support/head-office.js';
import { bearer, deviceLogin, deviceToken, staffToken } from '../support/identities.js';
import { KIOSK_READER, TEST_CARD_KEY, TEST_CARD_KEY_BYTES, seedMembers, testMember } from '../support/members.js';
import { connectClient, nextMessage } from '../support/mqtt.js';
import { releaseOrder } from '../support/survey.js';

// The survey and the follow-up calls over HTTP against a real gateway and SQLite file: the phone
// by token and the kiosk by a card tapped on its reader (a reader agent on the bus), one answer per
// order also when many arrive at once, bad input refused with nothing changed, and what head office
// receives of it: no name, no phone number, no token.

const STORE = 'demo';
const MEMBER = testMember({ name: '欧阳小明', phone: '13912345678' });

interface Answer {
  status: number;
  body: { error?: { code: string }; [key: string]: unknown };
}

async function call(gw: TestGateway, method: 'GET' | 'POST', path: string, as: Record<string, string>, body?: unknown): Promise<Answer> {
  const res = await fetch(`${gw.httpUrl}${path}`, { method, headers: { ...as, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  return { status: res.status, body: (await res.json()) as Answer['body'] };
}

function workshop(gw: TestGateway) {
  return async (command: Record<string, unknown>) => {
    const answer = await call(gw, 'POST', '/api/workshop/commands', gw.admin, command);
    if (answer.status !== 200) throw new Error(`${String(command['action'])}: ${JSON.stringify(answer.body)}`);
    return answer.body;
  };
}

async function tokenOf(gw: TestGateway, no: string): Promise<string> {
  const { body } = await call(gw, 'GET', `/api/workshop/orders/${no}`, gw.admin);
  return new URLSearchParams((body['order'] as { statusPath: string }).statusPath.split('?')[1]).get('t') ?? '';
}

function memberGatewayDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'forecourt-survey-api-'));
  seedMembers(dir, [MEMBER]);
  return dir;
}

describe('the survey: phone and kiosk, one answer per order', () => {
  let gw: TestGateway;
  let reader: MqttClient;
  let screen: MqttClient;
  let kiosk: Record<string, string>;

  beforeAll(async () => {
    gw = await startTestGateway({
      dataDir: memberGatewayDir(),
      configure: (config) => {
        config.members.cardKeys = [TEST_CARD_KEY];
        config.devices.readers = [{ ...KIOSK_READER, agent: 'remote' }];
      },
    });
    reader = await connectClient(gw.mqttUrl, deviceLogin(gw.gateway, KIOSK_READER.id, 'nfc-reader', KIOSK_READER.station));
    const token = deviceToken(gw.gateway, 'kiosk-screen-1', 'kiosk', KIOSK_READER.station);
    kiosk = bearer(token);
    screen = await connectClient(gw.mqttUrl, { clientId: 'kiosk-screen-1', username: 'kiosk-screen-1', password: token });
    await screen.subscribeAsync(topics.kioskSession(STORE, KIOSK_READER.station), { qos: 1 });
  });
  afterAll(async () => {
    await reader?.endAsync();
    await screen?.endAsync();
    await gw?.dispose();
  });

  async function tap(): Promise<string> {
    const uid = '04a1b2c3d4e5f6';
    const card: CardTap = { kind: 'ntag', uid, data: encodeCard(Buffer.from(uid, 'hex'), { memberId: 42, vehicleId: 421 }, TEST_CARD_KEY_BYTES).toString('hex'), at: new Date().toISOString() };
    const answer = nextMessage(screen, topics.kioskSession(STORE, KIOSK_READER.station));
    await reader.publishAsync(topics.deviceTap(STORE, KIOSK_READER.id), JSON.stringify(card), { qos: 1 });
    const session = KioskSession.parse(JSON.parse((await answer).payload.toString()));
    if (session.result !== 'greeting') throw new Error(`tap refused: ${session.result}`);
    return session.sessionId;
  }

  it('offers the tapped vehicle\'s released order at the kiosk once, and only to its own kiosk', async () => {
    const sessionBefore = await tap();
    expect((await call(gw, 'GET', `/api/surveys/kiosk/${sessionBefore}`, kiosk)).body).toEqual({ survey: null });
    const no = await releaseOrder(workshop(gw), { plate: '粤B·D5678' });
    const session = await tap();
    const offered = await call(gw, 'GET', `/api/surveys/kiosk/${session}`, kiosk);
    expect(offered.body).toMatchObject({ survey: { order: no, maskedPlate: '粤B·D5**8', model: 'Camry 2.5L' } });
    expect(JSON.stringify(offered.body)).not.toContain('D5678');

    // Another kiosk cannot act on this tap; another vehicle's order is not this card's to rate.
    const other = bearer(deviceToken(gw.gateway, 'kiosk-screen-2', 'kiosk', 'kiosk-2'));
    expect((await call(gw, 'POST', `/api/surveys/kiosk/${session}`, other, { order: no, rating: 5 })).body.error?.code).toBe('session-not-found');
    const stranger = await releaseOrder(workshop(gw), { plate: '粤B·Z9999' });
    expect((await call(gw, 'POST', `/api/surveys/kiosk/${session}`, kiosk, { order: stranger, rating: 5 })).status).toBe(404);

    const first = await call(gw, 'POST', `/api/surveys/kiosk/${session}`, kiosk, { order: no, rating: 4, tags: ['explanation'] });
    expect(first.status).toBe(200);
    const again = await call(gw, 'POST', `/api/surveys/kiosk/${session}`, kiosk, { order: no, rating: 1 });
    expect(again).toMatchObject({ status: 409, body: { error: { code: 'survey-answered' } } });
    expect((await call(gw, 'GET', `/api/surveys/kiosk/${session}`, kiosk)).body).toEqual({ survey: null });
    // The phone of the same order finds it answered.
    expect((await call(gw, 'GET', `/api/surveys/by-token/${await tokenOf(gw, no)}`, {})).body).toMatchObject({ state: 'answered' });
  });

  it('takes one answer when many arrive at once, and refuses bad input changing nothing', async () => {
    const no = await releaseOrder(workshop(gw), { plate: '粤B·C1234' });
    const token = await tokenOf(gw, no);
    const path = `/api/surveys/by-token/${token}`;
    for (const bad of [{ rating: 0 }, { rating: 6 }, { rating: 2.5 }, { rating: 3, tags: ['price'] }, { rating: 3, tags: ['quality', 'quality'] }, { rating: 3, comment: 'x'.repeat(301) }, { rating: 3, name: 'x' }, {}]) {
      const refused = await call(gw, 'POST', path, {}, bad);
      expect(refused.status, JSON.stringify(bad)).toBe(400);
    }
    expect((await call(gw, 'POST', '/api/surveys/by-token/not-a-token', {}, { rating: 3 })).status).toBe(404);
    expect((await call(gw, 'GET', path, {})).body).toEqual({ state: 'open', answeredAt: null });

    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => call(gw, 'POST', path, {}, { rating: 1 + (i % 5), comment: `phone ${i}` })));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 409 && a.body.error?.code === 'survey-answered')).toHaveLength(11);
    const db = openDatabase(gw.dataDir);
    try {
      const stored = db.prepare("SELECT COUNT(*) FROM survey_answer WHERE order_no = ?").pluck().get(no);
      const events = db.prepare("SELECT COUNT(*) FROM outbox WHERE type = 'survey.answered' AND json_extract(data, '$.order') = ?").pluck().get(no);
      const audited = db.prepare("SELECT COUNT(*) FROM audit WHERE action = 'survey.answer' AND target = ?").pluck().get(`order:${no}`);
      expect({ stored, events, audited }).toEqual({ stored: 1, events: 1, audited: 1 });
    } finally {
      db.close();
    }
    // The manager's figures count it once.
    const list = await call(gw, 'GET', '/api/surveys', gw.admin);
    expect((list.body['answers'] as { order: string }[]).filter((a) => a.order === no)).toHaveLength(1);
    expect((await call(gw, 'GET', '/api/surveys?rating=9', gw.admin)).status).toBe(400);
  });
});

describe('what head office receives of surveys and follow-up calls', () => {
  let dms: DmsSimulator;
  let gw: TestGateway;
  beforeAll(async () => {
    dms = await startDms();
    gw = await startTestGateway({
      dataDir: memberGatewayDir(),
      configure: (config) => {
        relayTo(dms)(config);
        config.survey.followUpDays = 0;
      },
    });
  });
  afterAll(async () => {
    await gw?.dispose();
    await dms?.close();
  });

  it('relays answers, preferences, calls and closed complaints with the DMS ids, never a name, phone number or token', async () => {
    const send = workshop(gw);
    const opened = await send({ action: 'open', plate: '粤B·D5678', model: 'Camry 2.5L', advisor: 'Zhang', customerRef: 'member:42/vehicle:421', jobs: [{ title: 'Brakes', technicians: ['Li'] }] });
    const no = (opened['order'] as { no: string }).no;
    const advisor = bearer(staffToken(gw.gateway, 'advisor'));
    expect((await call(gw, 'POST', `/api/follow-ups/${no}/preference`, advisor, { callTime: 'evening' })).status).toBe(200);
    expect((await call(gw, 'POST', `/api/follow-ups/${no}/preference`, advisor, { callTime: 'midnight' })).status).toBe(400);
    // Before the release there is no call to record.
    expect((await call(gw, 'POST', `/api/follow-ups/${no}/calls`, advisor, { outcome: 'reached' })).body.error?.code).toBe('follow-up-not-open');
    await send({ action: 'move', order: no, to: 'dispatched' });
    await send({ action: 'job-start', order: no, job: 1 });
    await send({ action: 'job-finish', order: no, job: 1 });
    for (const to of ['quality-check', 'washing', 'settlement', 'ready', 'released']) await send({ action: 'move', order: no, to });
    const token = await tokenOf(gw, no);
    await call(gw, 'POST', `/api/surveys/by-token/${token}`, {}, { rating: 1, tags: ['quality'], comment: '我是欧阳小明，电话 139-1234-5678，欧阳先生很不满意' });

    const list = await call(gw, 'GET', '/api/follow-ups', advisor);
    expect(list.body['due']).toEqual([expect.objectContaining({ order: no, callTime: 'evening', attempts: 0, rating: 1, customer: expect.objectContaining({ name: '欧阳小明', phone: '139****5678' }) })]);
    expect((await call(gw, 'POST', `/api/follow-ups/${no}/calls`, advisor, { outcome: 'complaint' })).status).toBe(400);
    const complaint = await call(gw, 'POST', `/api/follow-ups/${no}/calls`, advisor, { outcome: 'complaint', note: '欧阳小明 (13912345678) wants the scratch repainted' });
    expect(complaint.body).toMatchObject({ outcome: 'complaint', stillDue: false });
    const flag = complaint.body['flag'] as number;
    // Only the manager closes it.
    expect((await call(gw, 'POST', `/api/follow-ups/flags/${flag}/close`, advisor, {})).status).toBe(403);
    expect((await call(gw, 'POST', `/api/follow-ups/flags/${flag}/close`, gw.admin, { note: 'called 欧阳小明 back' })).status).toBe(200);
    expect((await call(gw, 'POST', `/api/follow-ups/flags/${flag}/close`, gw.admin, {})).body.error?.code).toBe('flag-closed');
    await drained(gw);

    const received = dms.received(gw.config.store.id);
    const types = received.filter((e) => e.aggregate.type === 'repair-order' && !e.type.startsWith('order.') && !e.type.startsWith('job.')).map((e) => e.type);
    expect(types).toEqual(['follow-up.preference-set', 'survey.answered', 'follow-up.called', 'follow-up.flag-closed']);
    const answered = received.find((e) => e.type === 'survey.answered');
    expect(answered?.data).toMatchObject({ order: no, rating: 1, customerId: 42, vehicleId: 421, via: 'phone', comment: '我是***，电话 ***，***很不满意' });
    expect(received.find((e) => e.type === 'follow-up.called')?.data).toMatchObject({ outcome: 'complaint', attempt: 1, note: '*** (***) wants the scratch repainted' });
    const everything = JSON.stringify(received);
    for (const secret of [MEMBER.name, MEMBER.phone ?? '13912345678', '139-1234-5678', token]) expect(everything).not.toContain(secret);
  });
});
