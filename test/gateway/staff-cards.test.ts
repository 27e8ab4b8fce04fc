import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CardSignInAnswer, CardWrite, DeskSession, KioskSession, StaffListAnswer, topics, type CardTap } from '@forecourt/gateway/protocol';
import { encodeCard } from '../../gateway/src/domain/members/index.js';
import { DESK_READER, KIOSK_READER, TEST_CARD_KEY_BYTES, startMemberGateway, testMember, type MemberGateway } from '../support/members.js';
import { addStaff } from '../support/browser.js';
import { bearer, deviceLogin, deviceToken } from '../support/identities.js';
import { connectClient, nextMessage } from '../support/mqtt.js';
import { waitFor } from '../support/process.js';

// Staff cards through the real gateway: real broker, real SQLite, the test as the remote reader
// agents (their own provisioned credentials) and as the enrolled desk PC and bay terminal (HTTP).

const STORE = 'demo';
const BAY_READER = { id: 'bay-reader-3', pcscName: 'bay 3', role: 'bay', station: '3', agent: 'remote' } as const;
const now = () => new Date().toISOString();

function ntag(uid: string, data: Buffer | string = '00'.repeat(16)): CardTap {
  return { kind: 'ntag', uid, data: typeof data === 'string' ? data : data.toString('hex'), at: now() };
}

describe('staff cards: issued at the desk reader, tapped to sign in, revoked', () => {
  let gw: MemberGateway;
  let deskReader: MqttClient;
  let bayReader: MqttClient;
  let kioskReader: MqttClient;
  let kioskScreen: MqttClient;
  /** The desk PC's own bus login: it reads its desk's session topic (readers may not). */
  let deskScreen: MqttClient;
  let deskPc: Record<string, string>;
  let bay: Record<string, string>;
  let manager: { staffNo: string; pin: string };
  let ada: { staffNo: string; pin: string };
  /** What was written on Ada's card, by UID. */
  const cards = new Map<string, string>();

  beforeAll(async () => {
    gw = await startMemberGateway({ readers: [{ ...KIOSK_READER, agent: 'remote' }, { ...DESK_READER, agent: 'remote' }, BAY_READER], members: [testMember()] });
    deskReader = await connectClient(gw.mqttUrl, deviceLogin(gw.gateway, DESK_READER.id, 'nfc-reader', DESK_READER.station));
    bayReader = await connectClient(gw.mqttUrl, deviceLogin(gw.gateway, BAY_READER.id, 'nfc-reader', BAY_READER.station));
    kioskReader = await connectClient(gw.mqttUrl, deviceLogin(gw.gateway, KIOSK_READER.id, 'nfc-reader', KIOSK_READER.station));
    kioskScreen = await connectClient(gw.mqttUrl, deviceLogin(gw.gateway, 'kiosk-screen-1', 'kiosk', KIOSK_READER.station));
    // The desk reader writes what it is asked to, like the real agent, and says so.
    deskReader.on('message', (topic, payload) => {
      if (topic !== topics.deviceWrite(STORE, DESK_READER.id)) return;
      const write = CardWrite.parse(JSON.parse(payload.toString()));
      cards.set(write.uid, write.data);
      void deskReader.publishAsync(topics.deviceWriteResult(STORE, DESK_READER.id), JSON.stringify({ requestId: write.requestId, ok: true, at: now() }), { qos: 1 });
    });
    await deskReader.subscribeAsync(topics.deviceWrite(STORE, DESK_READER.id), { qos: 1 });
    const deskToken = deviceToken(gw.gateway, 'desk-pc-1', 'desk', DESK_READER.station);
    deskPc = bearer(deskToken);
    deskScreen = await connectClient(gw.mqttUrl, { clientId: 'desk-pc-1', username: 'desk-pc-1', password: deskToken });
    bay = bearer(deviceToken(gw.gateway, 'bay-screen-3', 'bay', BAY_READER.station));
    manager = addStaff(gw.gateway, 'manager', '7391', 'Manager Mei');
    ada = addStaff(gw.gateway, 'advisor', '5731', 'Advisor Ada');
  });
  afterAll(async () => {
    for (const c of [deskReader, bayReader, kioskReader, kioskScreen, deskScreen]) await c?.endAsync();
    await gw?.dispose();
  });

  async function post(path: string, body: unknown, headers: Record<string, string>): Promise<{ status: number; json: Record<string, unknown>; cookie: string | undefined }> {
    const res = await fetch(`${gw.httpUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    return { status: res.status, json: (await res.json()) as Record<string, unknown>, cookie: res.headers.get('set-cookie')?.split(';')[0] };
  }

  async function issue(staffNo: string, uid: string): Promise<DeskSession> {
    expect((await post('/api/staff/cards/commands', { action: 'issue', staffNo, desk: DESK_READER.station }, gw.admin)).status).toBe(200);
    const answer = nextMessage(deskScreen, topics.deskSession(STORE, DESK_READER.station));
    await deskReader.publishAsync(topics.deviceTap(STORE, DESK_READER.id), JSON.stringify(ntag(uid, cards.get(uid))), { qos: 1 });
    return DeskSession.parse(JSON.parse((await answer).payload.toString()));
  }

  /** A screen asks for a card while the reader reports `tap`; the screen's answer. */
  async function tapAtSignIn(screen: Record<string, string>, reader: MqttClient, readerId: string, tap: CardTap): Promise<{ answer: CardSignInAnswer; cookie: string | undefined }> {
    const asked = post('/api/auth/card-sign-in', {}, screen);
    await new Promise((r) => setTimeout(r, 150));
    await reader.publishAsync(topics.deviceTap(STORE, readerId), JSON.stringify(tap), { qos: 1 });
    const { status, json, cookie } = await asked;
    expect(status).toBe(200);
    return { answer: CardSignInAnswer.parse(json), cookie };
  }

  const card = (uid: string) => ntag(uid, cards.get(uid));
  const me = async (cookie: string | undefined) => (await (await fetch(`${gw.httpUrl}/api/auth/me`, { headers: { cookie: cookie ?? '' } })).json()) as { principal: Record<string, unknown>; idleTimeoutS?: number };

  it('a manager issues a card at the desk reader: a staff record, recorded and audited', async () => {
    const issued = await issue(ada.staffNo, '04aa000000a001');
    expect(issued.result).toBe('staff-card-issued');
    expect(cards.get('04aa000000a001')?.slice(0, 2)).toBe('f2');
    const list = StaffListAnswer.parse(await (await fetch(`${gw.httpUrl}/api/staff`, { headers: gw.admin })).json());
    expect(list.staff.find((s) => s.staffNo === ada.staffNo)?.card).toMatchObject({ uid: '04aa000000a001', version: 1 });
    const audit = (await (await fetch(`${gw.httpUrl}/api/audit?action=staff.card-issue`, { headers: gw.admin })).json()) as { rows: { target: string }[] };
    expect(audit.rows.map((r) => r.target)).toContain(`staff:${ada.staffNo}`);
  });

  it('a member card is never overwritten into a staff card', async () => {
    const member = encodeCard(Buffer.from('04bb000000b001', 'hex'), { memberId: 42, vehicleId: 421 }, TEST_CARD_KEY_BYTES);
    cards.set('04bb000000b001', member.toString('hex'));
    expect(await issue(ada.staffNo, '04bb000000b001')).toMatchObject({ result: 'staff-card-issue-failed', reason: 'member-card' });
    expect(cards.get('04bb000000b001')).toBe(member.toString('hex'));
    await post('/api/staff/cards/commands', { action: 'cancel', desk: DESK_READER.station }, gw.admin);
  });

  it('the enrolled desk PC signs its person in by a tap: the same session as a PIN sign-in, at its desk', async () => {
    const { answer, cookie } = await tapAtSignIn(deskPc, deskReader, DESK_READER.id, card('04aa000000a001'));
    expect(answer).toMatchObject({ result: 'signed-in', principal: { kind: 'staff', staffNo: ada.staffNo, role: 'advisor', desk: DESK_READER.station }, idleTimeoutS: 1800 });
    expect(await me(cookie)).toMatchObject({ principal: { kind: 'staff', staffNo: ada.staffNo, desk: '1' }, idleTimeoutS: 1800 });
    // A tap between two asks is kept for the next ask.
    await post('/api/auth/card-sign-in', {}, { ...deskPc }).then(() => undefined, () => undefined);
    await deskReader.publishAsync(topics.deviceTap(STORE, DESK_READER.id), JSON.stringify(card('04aa000000a001')), { qos: 1 });
    await new Promise((r) => setTimeout(r, 300));
    const next = await post('/api/auth/card-sign-in', {}, deskPc);
    expect(next.json).toMatchObject({ result: 'signed-in' });
    // Signed in, the screen asks no more: the next tap on the desk reader is a member's again at once.
    const member = encodeCard(Buffer.from('04cc000000c002', 'hex'), { memberId: 42, vehicleId: 421 }, TEST_CARD_KEY_BYTES);
    const desk = nextMessage(deskScreen, topics.deskSession(STORE, DESK_READER.station));
    await deskReader.publishAsync(topics.deviceTap(STORE, DESK_READER.id), JSON.stringify(ntag('04cc000000c002', member)), { qos: 1 });
    expect(DeskSession.parse(JSON.parse((await desk).payload.toString()))).toMatchObject({ result: 'member' });
  });

  it('a member card at sign-in is refused and opens no member file; a forged or copied card is refused and counted', async () => {
    const member = encodeCard(Buffer.from('04cc000000c001', 'hex'), { memberId: 42, vehicleId: 421 }, TEST_CARD_KEY_BYTES);
    const desk = nextMessage(deskScreen, topics.deskSession(STORE, DESK_READER.station), 1500).then(() => 'member session published', () => 'nothing');
    expect((await tapAtSignIn(deskPc, deskReader, DESK_READER.id, ntag('04cc000000c001', member))).answer).toMatchObject({ result: 'refused', refusal: 'member-card' });
    expect(await desk).toBe('nothing');

    const forged = Buffer.from(cards.get('04aa000000a001') ?? '', 'hex');
    forged.writeUInt32BE(99, 2);
    const refused = await tapAtSignIn(deskPc, deskReader, DESK_READER.id, ntag('04aa000000a001', forged));
    expect(refused).toMatchObject({ answer: { result: 'refused', refusal: 'not-genuine' }, cookie: undefined });
    const copied = await tapAtSignIn(deskPc, deskReader, DESK_READER.id, ntag('04dd000000d001', cards.get('04aa000000a001')));
    expect(copied.answer).toMatchObject({ result: 'refused', refusal: 'not-genuine' });
    const metrics = await (await fetch(`${gw.httpUrl}/metrics`, { headers: gw.admin })).text();
    expect(metrics).toMatch(/forecourt_staff_card_taps_total\{result="not-genuine"\} 2/);
    expect(metrics).toMatch(/forecourt_staff_card_taps_total\{result="member-card"\} 1/);
    expect(gw.logs.some((l) => String(l['msg']).includes('possible cloned staff card'))).toBe(true);
  });

  it('at the kiosk a staff card greets nobody', async () => {
    const greeting = nextMessage(kioskScreen, topics.kioskSession(STORE, KIOSK_READER.station));
    await kioskReader.publishAsync(topics.deviceTap(STORE, KIOSK_READER.id), JSON.stringify(card('04aa000000a001')), { qos: 1 });
    expect(KioskSession.parse(JSON.parse((await greeting).payload.toString()))).toMatchObject({ result: 'not-member-card' });
  });

  it('a screen waits for its own station only: another desk, a kiosk, the public get nothing', async () => {
    const otherDesk = await post('/api/auth/card-sign-in', {}, bearer(deviceToken(gw.gateway, 'desk-pc-2', 'desk', '2')));
    expect(otherDesk).toMatchObject({ status: 409, json: { error: { code: 'no-reader' } } });
    expect((await post('/api/auth/card-sign-in', {}, bearer(deviceToken(gw.gateway, 'kiosk-x', 'kiosk', '1')))).status).toBe(403);
    expect((await post('/api/auth/card-sign-in', {}, {})).status).toBe(401);
    expect((await post('/api/auth/card-sign-in', { screen: 'desk' }, deskPc)).status).toBe(400);
    // Nobody waits at the desk: a tap there is a member tap again (the staff card is not one).
    const desk = nextMessage(deskScreen, topics.deskSession(STORE, DESK_READER.station));
    await new Promise((r) => setTimeout(r, 3200));
    await deskReader.publishAsync(topics.deviceTap(STORE, DESK_READER.id), JSON.stringify(card('04aa000000a001')), { qos: 1 });
    expect(DeskSession.parse(JSON.parse((await desk).payload.toString()))).toMatchObject({ result: 'not-member-card' });
  });

  it('a bay terminal signs its technician in at its own reader, with the bay idle time', async () => {
    const tech = addStaff(gw.gateway, 'technician', '8642', 'Tech Tao');
    expect((await issue(tech.staffNo, '04ee000000e001')).result).toBe('staff-card-issued');
    const { answer, cookie } = await tapAtSignIn(bay, bayReader, BAY_READER.id, card('04ee000000e001'));
    expect(answer).toMatchObject({ result: 'signed-in', principal: { staffNo: tech.staffNo, role: 'technician' }, idleTimeoutS: 300 });
    expect((await me(cookie)).principal).not.toHaveProperty('desk');
  });

  it('a new card supersedes the old one; a revoked card is refused at once; both audited', async () => {
    expect((await issue(ada.staffNo, '04aa000000a002')).result).toBe('staff-card-issued');
    expect((await tapAtSignIn(deskPc, deskReader, DESK_READER.id, card('04aa000000a001'))).answer).toMatchObject({ result: 'refused', refusal: 'superseded' });
    expect((await tapAtSignIn(deskPc, deskReader, DESK_READER.id, card('04aa000000a002'))).answer).toMatchObject({ result: 'signed-in' });

    const revoke = await post('/api/staff/cards/commands', { action: 'revoke', staffNo: ada.staffNo }, gw.admin);
    expect(revoke).toMatchObject({ status: 200, json: { revoked: 1 } });
    expect((await tapAtSignIn(deskPc, deskReader, DESK_READER.id, card('04aa000000a002'))).answer).toMatchObject({ result: 'refused', refusal: 'revoked' });
    const audit = (await (await fetch(`${gw.httpUrl}/api/audit?action=staff.card-revoke`, { headers: gw.admin })).json()) as { rows: { target: string; detail: unknown }[] };
    expect(audit.rows[0]).toMatchObject({ target: `staff:${ada.staffNo}`, detail: { revoked: 1 } });
    await waitFor(async () => {
      const refused = (await (await fetch(`${gw.httpUrl}/api/audit?action=auth.card-refused`, { headers: gw.admin })).json()) as { rows: unknown[] };
      return refused.rows.length >= 4 ? true : undefined;
    }, 2000);
    // The PIN still works.
    expect((await post('/api/auth/sign-in', { staffNo: ada.staffNo, pin: ada.pin }, {})).status).toBe(200);
  });

  it('only managers issue and revoke; bad commands change nothing', async () => {
    const { cookie } = await post('/api/auth/sign-in', { staffNo: manager.staffNo, pin: manager.pin, desk: '1' }, {});
    const asManager = { cookie: cookie ?? '', origin: gw.httpUrl };
    expect((await post('/api/staff/cards/commands', { action: 'issue', staffNo: ada.staffNo, desk: '2' }, asManager)).status).toBe(403);
    expect((await post('/api/staff/cards/commands', { action: 'issue', staffNo: '99999', desk: '1' }, asManager)).status).toBe(404);
    expect((await post('/api/staff/cards/commands', { action: 'revoke', staffNo: ada.staffNo, extra: 1 }, asManager)).status).toBe(400);
    const receptionist = addStaff(gw.gateway, 'receptionist', '1357');
    const signed = await post('/api/auth/sign-in', { staffNo: receptionist.staffNo, pin: receptionist.pin, desk: '1' }, {});
    expect((await post('/api/staff/cards/commands', { action: 'revoke', staffNo: ada.staffNo }, { cookie: signed.cookie ?? '', origin: gw.httpUrl })).status).toBe(403);
    expect((await fetch(`${gw.httpUrl}/api/staff`, { headers: { cookie: signed.cookie ?? '' } })).status).toBe(403);
  });
});
