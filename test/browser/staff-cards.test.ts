import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addStaff, enrolledPage, launchChromium, sessionCookie, signInOnPage } from '../support/browser.js';
import { DESK_PORT, DESK_READER, KIOSK_PORT, memberCard, startMemberGateway, testMember, type MemberGateway } from '../support/members.js';
import { startPcscd, type Pcscd } from '../support/pcscd.js';
import { waitFor } from '../support/process.js';
import { describeRealStack } from '../support/real-stack.js';
import { VirtualCard } from '../support/vpcd-card.js';

// Staff cards as the desk lives them, on the real PC/SC stack (pcscd + vsmartcard-vpcd + the
// gateway's own reader agent) and in Chromium: a manager signs in by PIN and issues a card on the
// desk reader, its holder signs in by tapping it (and is signed out when idle), a member card and a
// revoked card are refused with a clear message. pcscd is one per machine: startPcscd waits its turn.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** vpcd notices a card leaving at its next poll; a card put on before that would not be seen arriving. */
const REMOVAL_SETTLE_MS = 450;
const DESK_PC = { id: 'desk-pc-1', kind: 'desk', station: DESK_READER.station } as const;
/** Bay 3's reader: vpcd's other virtual reader. */
const BAY_READER = { id: 'bay-reader-3', pcscName: 'Virtual PCD 00 00', role: 'bay', station: '3' } as const;

describeRealStack(
  'staff cards at the desk on a real PC/SC stack, in Chromium',
  { binaries: ['pcscd', 'chromium'], debian: 'pcscd libpcsclite-dev vsmartcard-vpcd chromium fonts-noto-cjk' },
  () => {
    let pcscd: Pcscd;
    let gw: MemberGateway;
    let browser: Browser;
    let manager: { staffNo: string; pin: string };
    let ada: { staffNo: string; pin: string };
    /** Ada's staff card: a blank NTAG until the desk reader writes it. */
    const adaCard = VirtualCard.ntag('04a0a1a2a3a4a5');

    beforeAll(async () => {
      pcscd = await startPcscd();
      // The shortest idle time a desk allows: the page's clock is driven by the test.
      gw = await startMemberGateway({ readers: [DESK_READER, BAY_READER], members: [testMember()], configure: (config) => (config.auth.idleTimeoutS.desk = 60) });
      manager = addStaff(gw.gateway, 'manager', '7391', '经理 Mei');
      ada = addStaff(gw.gateway, 'advisor', '5731', '顾问 Ada');
      browser = await launchChromium();
    }, 300_000);

    afterAll(async () => {
      await browser?.close();
      await gw?.dispose();
      await pcscd?.stop();
    });

    /** The enrolled desk PC at desk 1, on its sign-in view; `clock`: the page's timers driven by the test. */
    async function deskPc(clock = false): Promise<Page> {
      const page = await enrolledPage(browser, gw, DESK_PC);
      page.setDefaultTimeout(10_000);
      await page.addInitScript("localStorage.setItem('forecourt.desk', '1')");
      if (clock) await page.clock.install();
      await page.goto(`${gw.httpUrl}/desk/`);
      await page.waitForSelector('[data-testid=card-sign-in-hint]');
      return page;
    }

    /** Puts the card on the desk reader (or `port`) until `done` has seen what it waits for, then takes it away. */
    async function tap(card: VirtualCard, done: () => Promise<unknown>, port = DESK_PORT): Promise<void> {
      await card.insert(port);
      try {
        await done();
      } finally {
        await card.remove();
        await sleep(REMOVAL_SETTLE_MS);
      }
    }

    const whoIs = async (cookie: string | undefined) =>
      ((await (await fetch(`${gw.httpUrl}/api/auth/me`, { headers: { cookie: cookie ?? '' } })).json()) as { principal: { kind: string; staffNo?: string; desk?: string } }).principal;

    it('a manager signs in by PIN and issues a staff card on the desk reader', async () => {
      const page = await deskPc();
      expect(await page.textContent('[data-testid=card-sign-in-hint]')).toContain('刷员工卡');
      await signInOnPage(page, manager.staffNo, manager.pin);
      await page.waitForSelector('[data-testid=staff-bar][data-role=manager]');
      expect(await whoIs(await sessionCookie(page))).toMatchObject({ kind: 'staff', staffNo: manager.staffNo, desk: '1' });

      await page.click('[data-testid=staff-cards-admin] summary');
      await page.click(`[data-testid=staff-entry][data-staff-no="${ada.staffNo}"] [data-testid=staff-card-issue]`);
      await page.waitForSelector('[data-testid=staff-card-waiting]');
      await tap(adaCard, () => page.waitForSelector('[data-testid=staff-card-notice][data-code=issued]'));
      expect(adaCard.userData()[0]).toBe(0xf2);
      await page.waitForSelector(`[data-testid=staff-entry][data-staff-no="${ada.staffNo}"]:not([data-card=""])`);
      // The reader went back to member taps: the panel no longer waits.
      expect(await page.$('[data-testid=staff-card-waiting]')).toBeNull();
      await page.click('[data-testid=sign-out]');
      await page.waitForSelector('[data-testid=sign-in]');
      await page.close();
    });

    it('its holder signs in by tapping it at the desk PC, and is signed out when nobody uses the screen', async () => {
      const page = await deskPc(true);
      await tap(adaCard, () => page.waitForSelector(`[data-testid=staff-bar][data-staff-no="${ada.staffNo}"]`));
      expect(await page.textContent('[data-testid=staff-name]')).toBe('顾问 Ada');
      const cookie = await sessionCookie(page);
      expect(await whoIs(cookie)).toMatchObject({ kind: 'staff', staffNo: ada.staffNo, desk: '1' });
      // The same session as a PIN sign-in's: the console, its bus, then the idle sign-out.
      await page.waitForSelector('[data-testid=link-state][data-state=connected]');
      await page.clock.fastForward(61_000);
      await page.waitForSelector('[data-testid=sign-in-reason][data-reason=idle]');
      await expect.poll(() => whoIs(cookie)).toMatchObject({ kind: 'public' });
      // Back on the sign-in view, the card works again.
      await page.waitForSelector('[data-testid=card-sign-in-hint]');
      await tap(adaCard, () => page.waitForSelector(`[data-testid=staff-bar][data-staff-no="${ada.staffNo}"]`));
      await page.close();
    });

    it('a member card, a blank card and a forged staff card sign nobody in, each with its reason', async () => {
      const page = await deskPc();
      await tap(memberCard('04c1c2c3c4c5c6', 42, 421), () => page.waitForSelector('[data-testid=card-refused][data-code=member-card]'));
      expect(await page.textContent('[data-testid=card-refused]')).toContain('这是会员卡');
      expect(await page.$('[data-testid=member-file]')).toBeNull();
      await tap(VirtualCard.ntag('04d1d2d3d4d5d6'), () => page.waitForSelector('[data-testid=card-refused][data-code=not-staff-card]'));
      const forged = Buffer.from(adaCard.userData());
      forged.writeUInt32BE(forged.readUInt32BE(6) + 1, 6);
      await tap(VirtualCard.ntag('04a0a1a2a3a4a5', forged), () => page.waitForSelector('[data-testid=card-refused][data-code=not-genuine]'));
      expect(await page.$('[data-testid=staff-bar]')).toBeNull();
      const metrics = await (await fetch(`${gw.httpUrl}/metrics`, { headers: gw.admin })).text();
      expect(metrics).toMatch(/forecourt_staff_card_taps_total\{result="not-genuine"\} 1/);
      await page.click('button[lang=en]');
      expect(await page.textContent('[data-testid=card-refused]')).toContain('not genuine');
      await page.close();
    });

    it('a technician signs in at the bay terminal by tapping a staff card on the bay reader', async () => {
      const tech = addStaff(gw.gateway, 'technician', '8642', '技师 Tao');
      const techCard = VirtualCard.ntag('04b0b1b2b3b4b5');
      const json = { 'content-type': 'application/json', ...gw.admin };
      const issue = await fetch(`${gw.httpUrl}/api/staff/cards/commands`, { method: 'POST', headers: json, body: JSON.stringify({ action: 'issue', staffNo: tech.staffNo, desk: '1' }) });
      expect(issue.status).toBe(200);
      // Written, read back and recorded: the card is on the technician's staff entry.
      await tap(techCard, () =>
        waitFor(async () => {
          const list = (await (await fetch(`${gw.httpUrl}/api/staff`, { headers: gw.admin })).json()) as { staff: { staffNo: string; card: unknown }[] };
          return list.staff.find((s) => s.staffNo === tech.staffNo)?.card ?? undefined;
        }, 10_000),
      );
      const bay = await enrolledPage(browser, gw, { id: 'bay-screen-3', kind: 'bay', station: BAY_READER.station });
      bay.setDefaultTimeout(10_000);
      await bay.goto(`${gw.httpUrl}/bay/`);
      await bay.waitForSelector('[data-testid=card-sign-in-hint]');
      await tap(techCard, () => bay.waitForSelector(`[data-testid=staff-bar][data-staff-no="${tech.staffNo}"]`), KIOSK_PORT);
      await bay.waitForSelector('[data-testid=bay-input]');
      await bay.close();
    });

    it('the manager revokes the lost card at the desk; tapped again it is refused', async () => {
      const page = await deskPc();
      await signInOnPage(page, manager.staffNo, manager.pin);
      await page.click('[data-testid=staff-cards-admin] summary');
      await page.click(`[data-testid=staff-entry][data-staff-no="${ada.staffNo}"] [data-testid=staff-card-revoke]`);
      await page.click('[data-testid=staff-card-revoke-confirm]');
      await page.waitForSelector('[data-testid=staff-card-notice][data-code=revoked]');
      await page.waitForSelector(`[data-testid=staff-entry][data-staff-no="${ada.staffNo}"][data-card=""]`);
      // Signed in by PIN on the enrolled PC, the desk reader is the member reader again at once.
      await tap(memberCard('04c1c2c3c4c5c6', 42, 421), () => page.waitForSelector('[data-testid=member-file]'));
      await page.click('[data-testid=switch-user]');
      await page.waitForSelector('[data-testid=card-sign-in-hint]');
      await tap(adaCard, () => page.waitForSelector('[data-testid=card-refused][data-code=revoked]'));
      expect(await page.textContent('[data-testid=card-refused]')).toContain('已被吊销');
      expect(await page.$('[data-testid=staff-bar]')).toBeNull();
      // The PIN still signs Ada in.
      await signInOnPage(page, ada.staffNo, ada.pin);
      await page.waitForSelector(`[data-testid=staff-bar][data-staff-no="${ada.staffNo}"]`);
      await page.close();
    });
  },
);
