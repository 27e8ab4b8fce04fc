import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeskSession, KioskSession, MemberFile, topics } from '@forecourt/gateway/protocol';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { bearer, deviceLogin, deviceToken, signIn } from '../support/identities.js';
import { nextMessage } from '../support/mqtt.js';

// Member data reaches only the staff and the stations entitled to it: a desk reads its own taps,
// a kiosk acts on its own greetings, references are opaque and phones masked unless revealed.

describe('member data and who may see it (demo members, pretend taps)', () => {
  let gw: TestGateway;
  let desk2: MqttClient;
  let kiosk1: MqttClient;
  const store = () => gw.config.store.id;
  const origin = () => ({ origin: gw.httpUrl, 'content-type': 'application/json' });

  beforeAll(async () => {
    gw = await startTestGateway({ demo: true });
    desk2 = await mqtt.connectAsync(gw.wsUrl, { reconnectPeriod: 0, ...deviceLogin(gw.gateway, 'desk-pc-2', 'desk', '2') });
    kiosk1 = await mqtt.connectAsync(gw.mqttUrl, { reconnectPeriod: 0, ...deviceLogin(gw.gateway, 'kiosk-one', 'kiosk', 'kiosk-1') });
  });
  afterAll(async () => {
    await desk2?.endAsync(true);
    await kiosk1?.endAsync(true);
    await gw?.dispose();
  });

  async function deskTap(desk: string): Promise<string> {
    await desk2.subscribeAsync(topics.deskSession(store(), desk), { qos: 1 });
    const message = nextMessage(desk2, topics.deskSession(store(), desk));
    const res = await fetch(`${gw.httpUrl}/api/members/demo-tap`, { method: 'POST', headers: { ...gw.admin, 'content-type': 'application/json' }, body: JSON.stringify({ role: 'desk', station: desk }) });
    expect(res.status).toBe(200);
    const session = DeskSession.parse(JSON.parse((await message).payload.toString()));
    if (!session.sessionId) throw new Error(`no session: ${session.result}`);
    return session.sessionId;
  }

  it("gives a desk its own tap's file and refuses it to another desk", async () => {
    const sessionId = await deskTap('2');
    const atDesk1 = await signIn(gw.httpUrl, '1002', '1002', '1');
    const atDesk2 = await signIn(gw.httpUrl, '1003', '1003', '2');
    const other = await fetch(`${gw.httpUrl}/api/members/sessions/${sessionId}`, { headers: { cookie: atDesk1.cookie ?? '' } });
    expect(other.status).toBe(404);
    const own = await fetch(`${gw.httpUrl}/api/members/sessions/${sessionId}`, { headers: { cookie: atDesk2.cookie ?? '' } });
    expect(own.status).toBe(200);
    const file = MemberFile.parse(await own.json());
    expect(file.member.phone).toMatch(/^\d{3}\*+\d{4}$/);
    expect(file.member.ref).toMatch(/^[A-Za-z0-9_-]{22}$/);

    // Revealing the number is for front-desk staff, and leaves an audit row naming who asked.
    const reveal = await fetch(`${gw.httpUrl}/api/members/${file.member.ref}/reveal-phone`, { method: 'POST', headers: { cookie: atDesk2.cookie ?? '', ...origin() }, body: '{}' });
    expect(reveal.status).toBe(200);
    const { phone } = (await reveal.json()) as { phone: string };
    expect(phone).toMatch(/^\d{11}$/);
    expect(phone.slice(-4)).toBe(file.member.phone?.slice(-4));
    const audit = (await (await fetch(`${gw.httpUrl}/api/audit?action=member.reveal-phone`, { headers: gw.admin })).json()) as { rows: { actor: string; target: string }[] };
    expect(audit.rows[0]).toMatchObject({ actor: 'staff:1003', target: `member:${file.member.ref}` });
    const technician = await signIn(gw.httpUrl, '1004', '1004');
    expect((await fetch(`${gw.httpUrl}/api/members/${file.member.ref}/reveal-phone`, { method: 'POST', headers: { cookie: technician.cookie ?? '', ...origin() }, body: '{}' })).status).toBe(403);
  });

  it("refuses card commands for another desk than the one signed in at", async () => {
    const atDesk1 = await signIn(gw.httpUrl, '1002', '1002', '1');
    for (const body of [{ action: 'card:issue', desk: '2', vehicleId: 1 }, { action: 'card:cancel', desk: '2' }]) {
      const res = await fetch(`${gw.httpUrl}/api/members/commands`, { method: 'POST', headers: { cookie: atDesk1.cookie ?? '', ...origin() }, body: JSON.stringify(body) });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('wrong-desk-session');
    }
    const own = await fetch(`${gw.httpUrl}/api/members/commands`, { method: 'POST', headers: { cookie: atDesk1.cookie ?? '', ...origin() }, body: JSON.stringify({ action: 'card:cancel', desk: '1' }) });
    expect(own.status).toBe(200);
  });

  it('answers a made-up or sequential member reference with not-found', async () => {
    for (const ref of ['1', '2', 'AAAAAAAAAAAAAAAAAAAAAA']) {
      const res = await fetch(`${gw.httpUrl}/api/members/${ref}`, { headers: gw.admin });
      expect(res.status).toBe(404);
    }
  });

  it("lets a kiosk act on its own station's greeting only", async () => {
    // Subscribed before the tap: the greeting is not retained.
    await kiosk1.subscribeAsync(topics.kioskSession(store(), 'kiosk-1'), { qos: 1 });
    const greeting = nextMessage(kiosk1, topics.kioskSession(store(), 'kiosk-1'));
    const tap = await fetch(`${gw.httpUrl}/api/members/demo-tap`, { method: 'POST', headers: { ...gw.admin, 'content-type': 'application/json' }, body: JSON.stringify({ role: 'kiosk', station: 'kiosk-1' }) });
    expect(tap.status, await tap.text()).toBe(200);
    const session = KioskSession.parse(JSON.parse((await greeting).payload.toString()));
    if (session.result !== 'greeting') throw new Error(`expected a greeting, got ${session.result}`);
    const otherKiosk = bearer(deviceToken(gw.gateway, 'kiosk-two', 'kiosk', 'kiosk-2'));
    const ticket = (headers: Record<string, string>) =>
      fetch(`${gw.httpUrl}/api/members/sessions/${session.sessionId}/ticket`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ service: 'repair' }) });
    expect((await ticket(otherKiosk)).status).toBe(404);
    const ownKiosk = bearer(deviceToken(gw.gateway, 'kiosk-three', 'kiosk', 'kiosk-1'));
    expect((await ticket(ownKiosk)).status).toBe(200);
    // The board may not take tickets at all.
    expect((await ticket(bearer(deviceToken(gw.gateway, 'board-x', 'board')))).status).toBe(403);
  });
});
