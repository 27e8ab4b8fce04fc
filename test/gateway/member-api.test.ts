import { Writable } from 'node:stream';
import pino from 'pino';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeskSession, KioskSession, MemberFile, MemberSearchAnswer, OpaqueMemberRef, topics, type CardTap, type DeviceState } from '@forecourt/gateway/protocol';
import { ReaderAgent } from '../../gateway/src/adapters/nfc/reader-agent.js';
import { encodeCard } from '../../gateway/src/domain/members/index.js';
import { demoMember } from '../../gateway/src/demo/demo-members.js';
import { DESK_READER, KIOSK_READER, TEST_CARD_KEY_BYTES, startMemberGateway, testMember, type MemberGateway } from '../support/members.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { bearer, deviceLogin, deviceToken, staffToken } from '../support/identities.js';
import { connectClient, nextMessage } from '../support/mqtt.js';
import { waitFor } from '../support/process.js';

const STORE = 'demo';

function cardTap(uid: string, memberId: number, vehicleId: number): CardTap {
  return { kind: 'ntag', uid, data: encodeCard(Buffer.from(uid, 'hex'), { memberId, vehicleId }, TEST_CARD_KEY_BYTES).toString('hex'), at: new Date().toISOString() };
}

async function post(url: string, body: unknown, as: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...as }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function get(url: string, as: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { headers: as });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** A kiosk screen enrolled at a station: one token for its HTTP calls and its MQTT login. */
function kioskAt(gateway: TestGateway['gateway'], id: string, station: string): { headers: Record<string, string>; login: { clientId: string; username: string; password: string } } {
  const token = deviceToken(gateway, id, 'kiosk', station);
  return { headers: bearer(token), login: { clientId: id, username: id, password: token } };
}

describe('member cards through the gateway (reader taps on the bus, HTTP for kiosk and desk)', () => {
  let gw: MemberGateway;
  let reader: MqttClient;
  let screen: MqttClient;
  /** The kiosk screen at the kiosk reader's station, and a receptionist's desk. */
  let kiosk: Record<string, string>;
  let reception: Record<string, string>;
  const gold = testMember({ level: 'gold' });
  /** Booked for this hour today: the kiosk offers to check it in. */
  const booked = testMember({
    id: 43,
    vehicles: [{ ...gold.vehicles[0]!, id: 431, plate: '粤B·A1234' }],
    appointments: [{ id: 'appt-431', vehicleId: 431, at: new Date().toISOString(), service: 'maintenance', status: 'booked', note: null }],
  });

  beforeAll(async () => {
    gw = await startMemberGateway({
      readers: [{ ...KIOSK_READER, agent: 'remote' }, { ...DESK_READER, agent: 'remote' }],
      members: [gold, booked],
    });
    // A remote reader agent has the credentials the installer provisioned for its reader.
    reader = await connectClient(gw.mqttUrl, deviceLogin(gw.gateway, KIOSK_READER.id, 'nfc-reader', KIOSK_READER.station));
    const kioskScreen = kioskAt(gw.gateway, 'kiosk-screen-1', KIOSK_READER.station);
    kiosk = kioskScreen.headers;
    reception = bearer(staffToken(gw.gateway, 'receptionist'));
    screen = await connectClient(gw.mqttUrl, kioskScreen.login);
    await screen.subscribeAsync(topics.kioskSession(STORE, KIOSK_READER.station), { qos: 1 });
  });
  afterAll(async () => {
    await reader?.endAsync();
    await screen?.endAsync();
    await gw?.dispose();
  });

  async function tapOnKiosk(tap: CardTap): Promise<KioskSession> {
    const answer = nextMessage(screen, topics.kioskSession(STORE, KIOSK_READER.station));
    await reader.publishAsync(topics.deviceTap(STORE, KIOSK_READER.id), JSON.stringify(tap), { qos: 1 });
    return KioskSession.parse(JSON.parse((await answer).payload.toString()));
  }

  /** The desk finds a member by plate: an opaque reference, never the member's number. */
  async function refOf(plate: string): Promise<string> {
    const found = MemberSearchAnswer.parse((await get(`${gw.httpUrl}/api/members?q=${encodeURIComponent(plate)}`, reception)).body);
    expect(found.members).toHaveLength(1);
    return found.members[0]?.ref ?? '';
  }

  it('greets a genuine card with masked data only, and a gold member walks in as VIP', async () => {
    const greeting = await tapOnKiosk(cardTap('04a1b2c3d4e5f6', 42, 421));
    if (greeting.result !== 'greeting') throw new Error(`expected a greeting, got ${greeting.result}`);
    expect(greeting.member).toMatchObject({ maskedName: '王*明', level: 'gold' });
    expect(greeting.vehicle.maskedPlate).toBe('粤B·D5**8');
    expect(JSON.stringify(greeting)).not.toMatch(/王小明|D5678|13\d{9}/);

    const ticket = await post(`${gw.httpUrl}/api/members/sessions/${greeting.sessionId}/ticket`, { service: 'repair' }, kiosk);
    expect(ticket.status).toBe(200);
    expect(ticket.body['ticket']).toMatchObject({ number: 'B001', priority: 'vip' });

    // The desk opens the file by its opaque reference; the mobile number stays masked until revealed.
    const ref = await refOf('粤B·D5678');
    const desk = await get(`${gw.httpUrl}/api/members/${ref}`, reception);
    expect(desk.status).toBe(200);
    const file = MemberFile.parse(desk.body);
    expect(file).toMatchObject({ member: { ref, name: '王小明' }, visits: [{ ticketNumber: 'B001', via: 'kiosk' }] });
    expect(JSON.stringify(desk.body)).not.toContain(gold.phone ?? 'no phone');
    expect((await post(`${gw.httpUrl}/api/members/${ref}/reveal-phone`, {}, reception)).body).toEqual({ phone: gold.phone });
  });

  it('refuses bad requests clearly and changes nothing', async () => {
    const greeting = await tapOnKiosk(cardTap('04a1b2c3d4e5f6', 42, 421));
    if (greeting.result !== 'greeting') throw new Error('no greeting');
    expect((await post(`${gw.httpUrl}/api/members/sessions/${greeting.sessionId}/ticket`, { service: 'Nope!' }, kiosk)).status).toBe(400);
    expect((await post(`${gw.httpUrl}/api/members/sessions/${greeting.sessionId}/ticket`, { service: 'nope' }, kiosk)).body).toMatchObject({ error: { code: 'unknown-service' } });
    expect((await post(`${gw.httpUrl}/api/members/sessions/${greeting.sessionId}/check-in`, {}, kiosk)).body).toMatchObject({ error: { code: 'no-appointment' } });
    expect((await post(`${gw.httpUrl}/api/members/sessions/not-a-session/ticket`, { service: 'repair' }, kiosk)).status).toBe(404);
    // A kiosk may not read member files at all, and a kiosk's session is no desk session, not even for staff.
    expect((await get(`${gw.httpUrl}/api/members/sessions/${greeting.sessionId}`, kiosk)).status).toBe(403);
    expect((await get(`${gw.httpUrl}/api/members/sessions/${greeting.sessionId}`, reception)).status).toBe(404);
    // Member numbers are not references: a guessed number finds nothing.
    expect((await get(`${gw.httpUrl}/api/members/42`, reception)).status).toBe(404);
    expect((await post(`${gw.httpUrl}/api/members/commands`, { action: 'card:issue', desk: '1', vehicleId: 999 }, reception)).body).toMatchObject({ error: { code: 'vehicle-not-found' } });
    expect((await post(`${gw.httpUrl}/api/members/commands`, { action: 'card:issue', desk: '2', vehicleId: 421 }, reception)).body).toMatchObject({ error: { code: 'no-desk-reader' } });
    expect((await post(`${gw.httpUrl}/api/members/demo-tap`, { role: 'kiosk', station: 'kiosk-1' }, kiosk)).body).toMatchObject({ error: { code: 'not-demo' } });
    const queue = (await get(`${gw.httpUrl}/api/queue/desks/1`, reception)).body as { queues: { waitingCount: number }[] };
    expect(queue.queues.reduce((n, q) => n + q.waitingCount, 0)).toBe(1);
  });

  it('checks an appointment in once: taps on Check in from two kiosks and a double tap (requests at once) give one ticket', async () => {
    const greeting = await tapOnKiosk(cardTap('04b1b2c3d4e5f6', 43, 431));
    if (greeting.result !== 'greeting') throw new Error(`expected a greeting, got ${greeting.result}`);
    expect(greeting.appointment).toMatchObject({ checkedIn: false });
    const checkIn = () => post(`${gw.httpUrl}/api/members/sessions/${greeting.sessionId}/check-in`, {}, kiosk);
    const answers = await Promise.all(Array.from({ length: 6 }, checkIn));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409, 409, 409, 409]);
    expect(answers.find((a) => a.status === 200)?.body['ticket']).toMatchObject({ service: 'maintenance', priority: 'appointment' });
    expect(answers.find((a) => a.status === 409)?.body).toMatchObject({ error: { code: 'no-appointment' } });
    const desk = (await get(`${gw.httpUrl}/api/queue/desks/1`, reception)).body as { queues: { service: string; waitingCount: number }[] };
    expect(desk.queues.find((q) => q.service === 'maintenance')?.waitingCount).toBe(1);
    const file = MemberFile.parse((await get(`${gw.httpUrl}/api/members/${await refOf('粤B·A1234')}`, reception)).body);
    expect(file.appointments).toMatchObject([{ id: 'appt-431', status: 'checked-in' }]);
    expect(file.visits).toHaveLength(1);
  });

  it('gives a kiosk that sends its ticket request again with the same request id the same ticket', async () => {
    const greeting = await tapOnKiosk(cardTap('04a1b2c3d4e5f6', 42, 421));
    if (greeting.result !== 'greeting') throw new Error('no greeting');
    const url = `${gw.httpUrl}/api/members/sessions/${greeting.sessionId}/ticket`;
    const once = { ...kiosk, 'idempotency-key': `kiosk-screen-1:${greeting.sessionId}` };
    const [first, again] = [await post(url, { service: 'claims' }, once), await post(url, { service: 'claims' }, once)];
    expect(first.status).toBe(200);
    expect(again).toEqual(first);
    const desk = (await get(`${gw.httpUrl}/api/queue/desks/1`, reception)).body as { queues: { service: string; waitingCount: number }[] };
    expect(desk.queues.find((q) => q.service === 'claims')?.waitingCount).toBe(1);
  });

  it('a tap with a malformed payload is dropped by the broker and the reader disconnected', async () => {
    const rogue = await connectClient(gw.mqttUrl, deviceLogin(gw.gateway, 'rogue-reader', 'nfc-reader'));
    const closed = new Promise<void>((resolve) => rogue.once('close', () => resolve()));
    rogue.publish(topics.deviceTap(STORE, 'rogue-reader'), JSON.stringify({ kind: 'ntag', uid: 'zz', at: 'yesterday' }), { qos: 1 });
    await closed;
    await rogue.endAsync(true);
  });

  it('searches members for the desk', async () => {
    const found = await get(`${gw.httpUrl}/api/members?q=${encodeURIComponent('粤B·D5678')}`, reception);
    const { members } = MemberSearchAnswer.parse(found.body);
    expect(members.map((m) => m.name)).toEqual(['王小明']);
    // An opaque reference, and a masked phone.
    expect(OpaqueMemberRef.safeParse(members[0]?.ref).success).toBe(true);
    expect(JSON.stringify(found.body)).not.toContain(gold.phone ?? 'no phone');
    expect((await fetch(`${gw.httpUrl}/api/members?q=${encodeURIComponent('粤B·D5678')}`)).status).toBe(401);
    expect((await get(`${gw.httpUrl}/api/members?q=${encodeURIComponent('粤B·D5678')}`, kiosk)).status).toBe(403);
  });
});

describe('reader agent without a working PC/SC stack', () => {
  let gw: MemberGateway;
  let bus: MqttClient;
  let readerToken: string;
  beforeAll(async () => {
    gw = await startMemberGateway({ readers: [{ ...KIOSK_READER, agent: 'remote' }] });
    readerToken = deviceToken(gw.gateway, KIOSK_READER.id, 'nfc-reader', KIOSK_READER.station);
    // The desk's device panel reads the reader's state.
    bus = await connectClient(gw.mqttUrl, deviceLogin(gw.gateway, 'desk-pc-1', 'desk', '1'));
    await bus.subscribeAsync(topics.deviceState(STORE, KIOSK_READER.id));
  });
  afterAll(async () => {
    await bus?.endAsync();
    await gw?.dispose();
  });

  function agentWith(extra: Partial<ConstructorParameters<typeof ReaderAgent>[0]>, lines: string[]): ReaderAgent {
    const sink = new Writable({
      write(chunk: Buffer, _e, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const loginFor = (id: string) => (id === KIOSK_READER.id ? { username: id, password: readerToken } : undefined);
    return new ReaderAgent({ url: gw.mqttUrl, store: STORE, readers: [KIOSK_READER], debounceMs: 500, log: pino(sink), now: () => new Date(), loginFor, ...extra });
  }

  it('reports pcscd down while it keeps probing, without blocking the event loop', async () => {
    const state = waitForState(bus, 'pcscd-down');
    const agent = agentWith({ socketPath: '/nonexistent/pcscd.comm', backoff: { minMs: 20, maxMs: 40 } }, []);
    await agent.start();
    try {
      await state;
    } finally {
      await agent.stop();
    }
    // Timers still fire on time while the agent retries.
    const started = Date.now();
    await new Promise((r) => setTimeout(r, 100));
    expect(Date.now() - started).toBeLessThan(400);
  });

  it('says "NFC unavailable" with the reason when nfc-pcsc cannot load (no libpcsclite at install)', async () => {
    const lines: string[] = [];
    const state = waitForState(bus, 'nfc-unavailable');
    const agent = agentWith({ loadNfc: () => Promise.reject(new Error('Could not locate the bindings file')) }, lines);
    await agent.start();
    try {
      await state;
      await waitFor(() => (lines.some((l) => l.includes('NFC unavailable: Could not locate the bindings file')) ? true : undefined), 3000);
    } finally {
      await agent.stop();
    }
  });
});

function waitForState(bus: MqttClient, reason: string): Promise<DeviceState> {
  return new Promise((resolve) => {
    const onMessage = (topic: string, payload: Buffer): void => {
      if (topic !== topics.deviceState(STORE, KIOSK_READER.id)) return;
      const state = JSON.parse(payload.toString()) as DeviceState;
      if (state.reason !== reason) return;
      bus.off('message', onMessage);
      resolve(state);
    };
    bus.on('message', onMessage);
  });
}

describe('demo mode: pretend taps through the same checks', () => {
  let gw: TestGateway;
  let kioskScreen: MqttClient;
  let deskScreen: MqttClient;
  let kiosk: Record<string, string>;
  let reception: Record<string, string>;
  beforeAll(async () => {
    gw = await startTestGateway({ demo: true });
    const k = kioskAt(gw.gateway, 'kiosk-screen-1', 'kiosk-1');
    kiosk = k.headers;
    reception = bearer(staffToken(gw.gateway, 'receptionist'));
    // Even in demo mode the sessions go only to the screens they are for: the kiosk's to kiosk-1, the desk's to desk 1.
    kioskScreen = await connectClient(gw.mqttUrl, k.login);
    deskScreen = await connectClient(gw.mqttUrl, deviceLogin(gw.gateway, 'desk-pc-1', 'desk', '1'));
    await kioskScreen.subscribeAsync(topics.kioskSession(STORE, 'kiosk-1'), { qos: 1 });
    await deskScreen.subscribeAsync(topics.deskSession(STORE, '1'), { qos: 1 });
  });
  afterAll(async () => {
    await kioskScreen?.endAsync();
    await deskScreen?.endAsync();
    await gw?.dispose();
  });

  it('greets a demo member at the kiosk, refuses a pretend clone, and issues a card at the desk', async () => {
    const greetingMessage = nextMessage(kioskScreen, topics.kioskSession(STORE, 'kiosk-1'));
    expect((await post(`${gw.httpUrl}/api/members/demo-tap`, { role: 'kiosk', station: 'kiosk-1' }, kiosk)).status).toBe(200);
    const greeting = KioskSession.parse(JSON.parse((await greetingMessage).payload.toString()));
    expect(greeting.result).toBe('greeting');

    const clone = nextMessage(kioskScreen, topics.kioskSession(STORE, 'kiosk-1'));
    await post(`${gw.httpUrl}/api/members/demo-tap`, { role: 'kiosk', station: 'kiosk-1', card: 'clone' }, kiosk);
    expect(KioskSession.parse(JSON.parse((await clone).payload.toString())).result).toBe('not-genuine');

    expect((await post(`${gw.httpUrl}/api/members/commands`, { action: 'card:issue', desk: '1', vehicleId: 11 }, reception)).status).toBe(200);
    const desk = nextMessage(deskScreen, topics.deskSession(STORE, '1'));
    await post(`${gw.httpUrl}/api/members/demo-tap`, { role: 'desk', station: '1' }, reception);
    const issued = DeskSession.parse(JSON.parse((await desk).payload.toString()));
    expect(issued.result).toBe('card-issued');
    const file = MemberFile.parse((await get(`${gw.httpUrl}/api/members/sessions/${issued.sessionId}`, reception)).body);
    // Demo member 1 (vehicle 11), known to the desk by an opaque reference only.
    const one = demoMember(1, new Date(), gw.config.store.timeZone);
    expect(file.member.name).toBe(one.name);
    expect(file.member.ref).not.toBe('1');
    expect(MemberFile.parse((await get(`${gw.httpUrl}/api/members/${file.member.ref}`, reception)).body).member.name).toBe(one.name);
    expect(file.vehicles.find((v) => v.id === 11)?.card).not.toBeNull();
  });
});
