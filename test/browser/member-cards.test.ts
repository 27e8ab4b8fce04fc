import type { MqttClient } from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeskSession, KioskSession, MemberFile, topics, type DeviceState } from '@forecourt/gateway/protocol';
import { enrolledPage, launchChromium, signedInDesk } from '../support/browser.js';
import { deviceLogin } from '../support/identities.js';
import { DESK_PORT, DESK_READER, KIOSK_PORT, KIOSK_READER, memberCard, startMemberGateway, testMember, type MemberGateway } from '../support/members.js';
import { connectClient } from '../support/mqtt.js';
import { startPcscd, type Pcscd } from '../support/pcscd.js';
import { waitFor } from '../support/process.js';
import { describeRealStack } from '../support/real-stack.js';
import { localDate } from '../../gateway/src/domain/members/index.js';
import { VirtualCard } from '../support/vpcd-card.js';

// pcscd is one per machine: the tests of this file run one after the other, and startPcscd waits
// while another file (staff-cards.test.ts) has its turn.

const STORE = 'demo';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** vpcd notices a card leaving at its next poll; a card put on before that would not be seen arriving. */
const REMOVAL_SETTLE_MS = 450;

describeRealStack(
  'member cards on a real PC/SC stack (pcscd + vsmartcard-vpcd + nfc-pcsc)',
  { binaries: ['pcscd', 'chromium'], debian: 'pcscd libpcsclite-dev vsmartcard-vpcd chromium fonts-noto-cjk' },
  () => {
    let pcscd: Pcscd;
    let gw: MemberGateway;
    let browser: Browser;
    let kiosk: Page;
    let kioskBus: MqttClient;
    let deskBus: MqttClient;
    const messages: { topic: string; payload: unknown }[] = [];
    const now = new Date();
    const today = localDate(now, 'Asia/Shanghai');
    const member = testMember(
      {
        birthday: `1980-${today.slice(5)}`,
        appointments: [{ id: 'apt-1', vehicleId: 421, at: now.toISOString(), service: 'maintenance', status: 'booked', note: null }],
      },
      now,
    );
    const second = { ...testMember({}, now), id: 43, name: '李四', vehicles: [{ ...member.vehicles[0]!, id: 431, plate: '粤A·12345' }], appointments: [] };
    member.vehicles[0] = { ...member.vehicles[0]!, inspectionDue: today, insuranceExpiry: null, maintenanceDueDate: null, maintenanceDueKm: null };

    async function next<T>(topic: string, from: number, schema: { parse: (v: unknown) => T }, timeoutMs = 8000): Promise<T> {
      const found = await waitFor(() => messages.slice(from).find((m) => m.topic === topic), timeoutMs, 20);
      return schema.parse(found.payload);
    }

    /** Puts the card on a reader, waits for the gateway's answer on `topic`, takes the card away. */
    async function tap<T>(card: VirtualCard, port: number, topic: string, schema: { parse: (v: unknown) => T }): Promise<T> {
      const from = messages.length;
      await card.insert(port);
      try {
        return await next(topic, from, schema);
      } finally {
        await card.remove();
        await sleep(REMOVAL_SETTLE_MS);
      }
    }

    const kioskTopic = topics.kioskSession(STORE, KIOSK_READER.station);
    const deskTopic = topics.deskSession(STORE, DESK_READER.station);

    beforeAll(async () => {
      pcscd = await startPcscd();
      gw = await startMemberGateway({ readers: [KIOSK_READER, DESK_READER], members: [member, second] });
      // Observers with the rights of the screens themselves: a kiosk reads its own greetings, a
      // desk PC its own desk's taps and the devices' states; nobody may read `kiosk/#`.
      kioskBus = await connectClient(gw.mqttUrl, deviceLogin(gw.gateway, 'observer-kiosk', 'kiosk', KIOSK_READER.station));
      deskBus = await connectClient(gw.mqttUrl, deviceLogin(gw.gateway, 'observer-desk', 'desk', DESK_READER.station));
      for (const bus of [kioskBus, deskBus]) bus.on('message', (topic, payload) => messages.push({ topic, payload: JSON.parse(payload.toString()) as unknown }));
      await kioskBus.subscribeAsync(kioskTopic, { qos: 1 });
      await deskBus.subscribeAsync([deskTopic, topics.deviceStateAll(STORE)], { qos: 1 });
      await waitFor(() => messages.find((m) => m.topic === topics.deviceState(STORE, KIOSK_READER.id) && (m.payload as DeviceState).health === 'ok'), 10_000);
      browser = await launchChromium();
      // The kiosk screen was paired with the reader's station: it reads that station's greetings.
      kiosk = await enrolledPage(browser, gw, { id: 'kiosk-screen-1', kind: 'kiosk', station: KIOSK_READER.station });
      await kiosk.goto(`${gw.httpUrl}/kiosk/?idle=60`);
      await kiosk.waitForSelector('[data-state=connected]');
      await kiosk.waitForSelector('[data-testid=service]');
    }, 300_000); // may wait for another file's turn on pcscd (test/support/pcscd.ts)

    afterAll(async () => {
      await browser?.close();
      await kioskBus?.endAsync();
      await deskBus?.endAsync();
      await gw?.dispose();
      await pcscd?.stop();
    });

    it('a tap greets the member in Chromium: masked name and plate, level, points, reminders, birthday; check-in gives a priority ticket', async () => {
      const card = memberCard('04a1b2c3d4e5f6', 42, 421);
      const greeting = await tap(card, KIOSK_PORT, kioskTopic, KioskSession);
      expect(greeting.result).toBe('greeting');
      await kiosk.waitForSelector('[data-testid=member-greeting]');
      expect(await kiosk.textContent('[data-testid=member-name]')).toContain('王*明');
      expect(await kiosk.textContent('[data-testid=member-plate]')).toBe('粤B·D5**8');
      expect(await kiosk.locator('[data-testid=reminder][data-kind=inspection]').count()).toBe(1);
      await kiosk.waitForSelector('[data-testid=birthday]');
      const page = (await kiosk.content()) + JSON.stringify(messages);
      expect(page).not.toContain('王小明');
      expect(page).not.toContain('D5678');

      await kiosk.click('[data-testid=check-in]');
      await kiosk.waitForSelector('[data-testid=ticket]');
      expect(await kiosk.textContent('[data-testid=ticket-number]')).toBe('A001');
      const desk = (await (await fetch(`${gw.httpUrl}/api/queue/desks/1`, { headers: gw.admin })).json()) as { queues: { service: string; waiting: { number: string; priority: string }[] }[] };
      expect(desk.queues.find((q) => q.service === 'maintenance')?.waiting[0]).toMatchObject({ number: 'A001', priority: 'appointment' });
    });

    it('a new card on an open greeting starts fresh for the new customer', async () => {
      await tap(memberCard('04a1b2c3d4e5f6', 42, 421), KIOSK_PORT, kioskTopic, KioskSession);
      await kiosk.waitForSelector('[data-testid=member-name]:has-text("王*明")');
      await tap(memberCard('04111111111111', 43, 431), KIOSK_PORT, kioskTopic, KioskSession);
      await kiosk.waitForSelector('[data-testid=member-name]:has-text("李*")');
      expect(await kiosk.textContent('[data-testid=member-plate]')).toBe('粤A·12**5');
    });

    it('a clone (right UID, wrong MAC) is refused and logged as a possible clone', async () => {
      const genuine = memberCard('04a1b2c3d4e5f6', 42, 421);
      const forged = Buffer.from(genuine.userData());
      forged.writeUInt32BE(43, 2); // someone else's member number, MAC left as it was
      const clone = VirtualCard.ntag('04a1b2c3d4e5f6', forged);
      const refusal = await tap(clone, KIOSK_PORT, kioskTopic, KioskSession);
      expect(refusal.result).toBe('not-genuine');
      await kiosk.waitForSelector('[data-testid=card-refused][data-result=not-genuine]');
      expect(gw.logs.some((l) => String(l['msg']).includes('possible cloned member card') && l['uid'] === '04a1b2c3d4e5f6')).toBe(true);
      expect(JSON.stringify(gw.logs)).not.toContain(gw.config.members.cardKeys[0]!.secret);
      const metrics = await (await fetch(`${gw.httpUrl}/metrics`, { headers: gw.admin })).text();
      expect(metrics).toMatch(/forecourt_card_taps_total\{result="not-genuine"\} 1/);

      // The genuine memory copied onto a blank with another UID fails the same way.
      const copied = VirtualCard.ntag('04999999999999', genuine.userData());
      expect((await tap(copied, KIOSK_PORT, kioskTopic, KioskSession)).result).toBe('not-genuine');
    });

    it('a phone asks for the member card; a blank card gets a friendly retry message', async () => {
      expect((await tap(VirtualCard.phone(), KIOSK_PORT, kioskTopic, KioskSession)).result).toBe('not-member-card');
      await kiosk.waitForSelector('[data-testid=card-refused][data-result=not-member-card]');
      expect(await kiosk.textContent('[data-testid=card-refused]')).toContain('会员卡');
      expect((await tap(VirtualCard.ntag('04777777777777'), KIOSK_PORT, kioskTopic, KioskSession)).result).toBe('unknown-card');
      await kiosk.waitForSelector('[data-testid=card-refused][data-result=unknown-card]');
    });

    it('a card issued at the desk is accepted at the kiosk, and the desk tap opens the record linked to its ticket', async () => {
      const issue = await fetch(`${gw.httpUrl}/api/members/commands`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...gw.admin },
        body: JSON.stringify({ action: 'card:issue', desk: '1', vehicleId: 431 }),
      });
      expect(issue.status).toBe(200);
      const blank = VirtualCard.ntag('04123456789abc');
      const from = messages.length;
      await blank.insert(DESK_PORT);
      const issued = await next(deskTopic, from, DeskSession);
      await blank.remove();
      await sleep(REMOVAL_SETTLE_MS);
      expect(issued.result).toBe('card-issued');
      expect(blank.userData()[0]).toBe(0xf1);

      const greeting = await tap(blank, KIOSK_PORT, kioskTopic, KioskSession);
      expect(greeting.result).toBe('greeting');
      await kiosk.waitForSelector('[data-testid=member-name]:has-text("李*")');

      // At the desk: a ticket being served, the customer taps, the advisor sees the full record.
      const json = { 'content-type': 'application/json', ...gw.admin };
      const ticket = (await (await fetch(`${gw.httpUrl}/api/queue/commands`, { method: 'POST', headers: json, body: JSON.stringify({ action: 'issue', service: 'repair' }) })).json()) as { ticket: { id: string; number: string } };
      await fetch(`${gw.httpUrl}/api/queue/commands`, { method: 'POST', headers: json, body: JSON.stringify({ action: 'call', desk: '1', ticketId: ticket.ticket.id }) });
      // A receptionist signed in at desk 1: the console reads desk 1's taps, and only those.
      const deskPage = await signedInDesk(browser, gw, { role: 'receptionist', desk: '1' });
      await deskPage.goto(`${gw.httpUrl}/desk/`);
      await deskPage.waitForSelector('[data-state=connected]');
      const opened = await tap(blank, DESK_PORT, deskTopic, DeskSession);
      expect(opened).toMatchObject({ result: 'member', linkedTicket: ticket.ticket.number });
      await deskPage.waitForSelector('[data-testid=member-file]');
      expect(await deskPage.textContent('[data-testid=member-full-name]')).toBe('李四');
      expect(await deskPage.textContent('[data-testid=linked-ticket]')).toContain(ticket.ticket.number);
      const file = MemberFile.parse(await (await fetch(`${gw.httpUrl}/api/members/sessions/${opened.sessionId}`, { headers: gw.admin })).json());
      expect(file.vehicles[0]?.card?.uid).toBe('04123456789abc');
      expect(file.visits.map((v) => v.ticketNumber)).toContain(ticket.ticket.number);
      await deskPage.close();
    });

    it('pcscd stopped and started again: the readers say so, then taps work without restarting the gateway', async () => {
      const readerState = (reason: string | undefined) =>
        waitFor(() => messages.slice().reverse().find((m) => m.topic === topics.deviceState(STORE, KIOSK_READER.id) && (m.payload as DeviceState).reason === reason && (m.payload as DeviceState).online), 15_000);
      await pcscd.stop();
      await readerState('pcscd-down');
      await sleep(1500); // the agent keeps probing meanwhile, without blocking anything
      const health = await fetch(`${gw.httpUrl}/healthz`);
      expect(health.status).toBe(200);
      await pcscd.restart();
      await readerState(undefined);
      const greeting = await tap(memberCard('04a1b2c3d4e5f6', 42, 421), KIOSK_PORT, kioskTopic, KioskSession);
      expect(greeting.result).toBe('greeting');
      const metrics = await (await fetch(`${gw.httpUrl}/metrics`, { headers: gw.admin })).text();
      expect(Number(/forecourt_nfc_pcsc_connections (\d+)/.exec(metrics)?.[1])).toBeGreaterThanOrEqual(2);
    }, 60_000);

    describe('200 taps in a row', () => {
      it('leaves no listeners or handles behind', async () => {
        const cards = [memberCard('04a1b2c3d4e5f6', 42, 421), memberCard('04111111111111', 43, 431)];
        const gauge = async () => Number(/forecourt_nfc_listeners (\d+)/.exec(await (await fetch(`${gw.httpUrl}/metrics`, { headers: gw.admin })).text())?.[1]);
        for (let i = 0; i < 10; i++) await tap(cards[i % 2]!, KIOSK_PORT, kioskTopic, KioskSession);
        const listeners = await gauge();
        const handles = process.getActiveResourcesInfo().length;
        for (let i = 0; i < 200; i++) {
          const answer = await tap(cards[i % 2]!, KIOSK_PORT, kioskTopic, KioskSession);
          expect(answer.result).toBe('greeting');
        }
        expect(await gauge()).toBe(listeners);
        expect(listeners).toBeGreaterThan(0);
        expect(process.getActiveResourcesInfo().length).toBeLessThanOrEqual(handles + 2);
      }, 400_000);
    });
  },
);
