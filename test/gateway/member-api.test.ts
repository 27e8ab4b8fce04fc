import { Writable } from 'node:stream';
import pino from 'pino';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeskSession, KioskSession, topics, type CardTap, type DeviceState } from '@forecourt/gateway/protocol';
import { ReaderAgent } from '../../gateway/src/adapters/nfc/reader-agent.js';
import { encodeCard } from '../../gateway/src/domain/members/index.js';
import { DESK_READER, KIOSK_READER, TEST_CARD_KEY, startMemberGateway, testMember, type MemberGateway } from '../support/members.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { connectClient, nextMessage } from '../support/mqtt.js';
import { waitFor } from '../support/process.js';

const STORE = 'demo';
const key = { id: TEST_CARD_KEY.id, secret: Buffer.from(TEST_CARD_KEY.secret) };

function cardTap(uid: string, memberId: number, vehicleId: number): CardTap {
  return { kind: 'ntag', uid, data: encodeCard(Buffer.from(uid, 'hex'), { memberId, vehicleId }, key).toString('hex'), at: new Date().toISOString() };
}

async function post(url: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('member cards through the gateway (reader taps on the bus, HTTP for kiosk and desk)', () => {
  let gw: MemberGateway;
  let reader: MqttClient;
  let screen: MqttClient;
  const gold = testMember({ level: 'gold' });

  beforeAll(async () => {
    gw = await startMemberGateway({
      readers: [{ ...KIOSK_READER, agent: 'remote' }, { ...DESK_READER, agent: 'remote' }],
      members: [gold],
    });
    reader = await connectClient(gw.mqttUrl, KIOSK_READER.id);
    screen = await connectClient(gw.mqttUrl);
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

  it('greets a genuine card with masked data only, and a gold member walks in as VIP', async () => {
    const greeting = await tapOnKiosk(cardTap('04a1b2c3d4e5f6', 42, 421));
    if (greeting.result !== 'greeting') throw new Error(`expected a greeting, got ${greeting.result}`);
    expect(greeting.member).toMatchObject({ maskedName: '王*明', level: 'gold' });
    expect(greeting.vehicle.maskedPlate).toBe('粤B·D5**8');
    expect(JSON.stringify(greeting)).not.toMatch(/王小明|D5678|13\d{9}/);

    const ticket = await post(`${gw.httpUrl}/api/members/sessions/${greeting.sessionId}/ticket`, { service: 'repair' });
    expect(ticket.status).toBe(200);
    expect(ticket.body['ticket']).toMatchObject({ number: 'B001', priority: 'vip' });

    const desk = await (await fetch(`${gw.httpUrl}/api/members/42`)).json();
    expect(desk).toMatchObject({ member: { name: '王小明' }, visits: [{ ticketNumber: 'B001', via: 'kiosk' }] });
  });

  it('refuses bad requests clearly and changes nothing', async () => {
    const greeting = await tapOnKiosk(cardTap('04a1b2c3d4e5f6', 42, 421));
    if (greeting.result !== 'greeting') throw new Error('no greeting');
    expect((await post(`${gw.httpUrl}/api/members/sessions/${greeting.sessionId}/ticket`, { service: 'Nope!' })).status).toBe(400);
    expect((await post(`${gw.httpUrl}/api/members/sessions/${greeting.sessionId}/ticket`, { service: 'nope' })).body).toMatchObject({ error: { code: 'unknown-service' } });
    expect((await post(`${gw.httpUrl}/api/members/sessions/${greeting.sessionId}/check-in`, {})).body).toMatchObject({ error: { code: 'no-appointment' } });
    expect((await post(`${gw.httpUrl}/api/members/sessions/not-a-session/ticket`, { service: 'repair' })).status).toBe(404);
    // A kiosk session cannot open the desk's full record.
    expect((await fetch(`${gw.httpUrl}/api/members/sessions/${greeting.sessionId}`)).status).toBe(404);
    expect((await post(`${gw.httpUrl}/api/members/commands`, { action: 'card:issue', desk: '1', vehicleId: 999 })).body).toMatchObject({ error: { code: 'vehicle-not-found' } });
    expect((await post(`${gw.httpUrl}/api/members/commands`, { action: 'card:issue', desk: '2', vehicleId: 421 })).body).toMatchObject({ error: { code: 'no-desk-reader' } });
    expect((await post(`${gw.httpUrl}/api/members/demo-tap`, { role: 'kiosk', station: 'kiosk-1' })).body).toMatchObject({ error: { code: 'not-demo' } });
    const queue = (await (await fetch(`${gw.httpUrl}/api/queue/desks/1`)).json()) as { queues: { waitingCount: number }[] };
    expect(queue.queues.reduce((n, q) => n + q.waitingCount, 0)).toBe(1);
  });

  it('a tap with a malformed payload is dropped by the broker and the reader disconnected', async () => {
    const rogue = await connectClient(gw.mqttUrl, 'rogue-reader');
    const closed = new Promise<void>((resolve) => rogue.once('close', () => resolve()));
    rogue.publish(topics.deviceTap(STORE, 'rogue-reader'), JSON.stringify({ kind: 'ntag', uid: 'zz', at: 'yesterday' }), { qos: 1 });
    await closed;
    await rogue.endAsync(true);
  });

  it('searches members for the desk', async () => {
    const found = (await (await fetch(`${gw.httpUrl}/api/members?q=${encodeURIComponent('粤B·D5678')}`)).json()) as { members: { id: number }[] };
    expect(found.members.map((m) => m.id)).toEqual([42]);
  });
});

describe('reader agent without a working PC/SC stack', () => {
  let gw: MemberGateway;
  let bus: MqttClient;
  beforeAll(async () => {
    gw = await startMemberGateway({ readers: [{ ...KIOSK_READER, agent: 'remote' }] });
    bus = await connectClient(gw.mqttUrl);
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
    return new ReaderAgent({ url: gw.mqttUrl, store: STORE, readers: [KIOSK_READER], debounceMs: 500, log: pino(sink), now: () => new Date(), ...extra });
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
  let screen: MqttClient;
  beforeAll(async () => {
    gw = await startTestGateway({ demo: true });
    screen = await connectClient(gw.mqttUrl);
    await screen.subscribeAsync([topics.kioskSession(STORE, 'kiosk-1'), topics.deskSession(STORE, '1')], { qos: 1 });
  });
  afterAll(async () => {
    await screen?.endAsync();
    await gw?.dispose();
  });

  it('greets a demo member at the kiosk, refuses a pretend clone, and issues a card at the desk', async () => {
    const kiosk = nextMessage(screen, topics.kioskSession(STORE, 'kiosk-1'));
    expect((await post(`${gw.httpUrl}/api/members/demo-tap`, { role: 'kiosk', station: 'kiosk-1' })).status).toBe(200);
    const greeting = KioskSession.parse(JSON.parse((await kiosk).payload.toString()));
    expect(greeting.result).toBe('greeting');

    const clone = nextMessage(screen, topics.kioskSession(STORE, 'kiosk-1'));
    await post(`${gw.httpUrl}/api/members/demo-tap`, { role: 'kiosk', station: 'kiosk-1', card: 'clone' });
    expect(KioskSession.parse(JSON.parse((await clone).payload.toString())).result).toBe('not-genuine');

    expect((await post(`${gw.httpUrl}/api/members/commands`, { action: 'card:issue', desk: '1', vehicleId: 11 })).status).toBe(200);
    const desk = nextMessage(screen, topics.deskSession(STORE, '1'));
    await post(`${gw.httpUrl}/api/members/demo-tap`, { role: 'desk', station: '1' });
    const issued = DeskSession.parse(JSON.parse((await desk).payload.toString()));
    expect(issued.result).toBe('card-issued');
    const file = (await (await fetch(`${gw.httpUrl}/api/members/sessions/${issued.sessionId}`)).json()) as { member: { id: number }; vehicles: { id: number; card: unknown }[] };
    expect(file.member.id).toBe(1);
    expect(file.vehicles.find((v) => v.id === 11)?.card).not.toBeNull();
  });
});
