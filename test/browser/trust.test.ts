import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { addStaff, enrolledPage, gatewayWithChromium, sessionCookie, signInOnPage, storedToken } from '../support/browser.js';
import type { TestGateway } from '../support/gateway.js';
import { bearer } from '../support/identities.js';
import { describeRealStack } from '../support/real-stack.js';

// Trust as the screens live it: staff sign in at the desk by number and PIN (and are signed out
// when idle), screens pair with a code a manager approves at the desk, and a revoked screen falls
// back to pairing. Real gateway (demo off), real Chromium, nothing mocked.

const CHROMIUM = { binaries: ['chromium'], debian: 'chromium fonts-noto-cjk' };

/** Who the gateway takes a cookie for (`public` once the session is over). */
async function whoIs(gw: TestGateway, headers: Record<string, string>): Promise<{ kind: string; desk?: string; staffNo?: string }> {
  const res = await fetch(`${gw.httpUrl}/api/auth/me`, { headers });
  if (res.status === 401) return { kind: 'refused' };
  return ((await res.json()) as { principal: { kind: string; desk?: string; staffNo?: string } }).principal;
}

function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.setDefaultTimeout(10_000);
  return errors;
}

/** Types on the sign-in view's on-screen pad, as on a touch screen. */
async function tapIn(page: Page, staffNo: string, pin: string): Promise<void> {
  await page.click('[data-testid=sign-in-staff-no]');
  for (const digit of staffNo) await page.click(`[data-testid=sign-in] .pad button[data-key="${digit}"]`);
  await page.click('[data-testid=sign-in-pin]');
  for (const digit of pin) await page.click(`[data-testid=sign-in] .pad button[data-key="${digit}"]`);
  await page.click('[data-testid=sign-in-submit]');
}

describeRealStack('trust: staff sign-in at the desk', CHROMIUM, () => {
  const env = gatewayWithChromium();

  it('shows nothing but the sign-in; a wrong PIN is refused with a translated message; the right one opens the console', async () => {
    const ada = addStaff(env.gw.gateway, 'receptionist', '5731', '测试接待 Ada');
    const page = await env.browser.newPage({ viewport: { width: 1366, height: 768 } });
    const errors = watchErrors(page);
    await page.goto(`${env.gw.httpUrl}/desk/`);
    await page.waitForSelector('[data-testid=sign-in]');
    // Signed out, the console has neither the queue nor a bus connection.
    expect(await page.$('[data-testid=desk-picker]')).toBeNull();
    expect(await page.$('[data-testid=link-state]')).toBeNull();

    await signInOnPage(page, ada.staffNo, '0000');
    await page.waitForSelector('[data-testid=sign-in-error][data-code=bad-credentials]');
    expect(await page.textContent('[data-testid=sign-in-error]')).toContain('工号或 PIN 码错误');
    await page.click('button[lang=en]');
    expect(await page.textContent('[data-testid=sign-in-error]')).toContain('Wrong staff number or PIN');
    expect(await page.$('[data-testid=staff-bar]')).toBeNull();

    // The touch way: the on-screen pad.
    await page.fill('[data-testid=sign-in-staff-no]', '');
    await tapIn(page, ada.staffNo, ada.pin);
    await page.waitForSelector('[data-testid=desk-picker]');
    expect(await page.textContent('[data-testid=staff-name]')).toBe('测试接待 Ada');
    expect(await page.textContent('[data-testid=staff-bar]')).toContain('Receptionist');
    await page.waitForSelector('[data-testid=link-state][data-state=connected]');

    // Picking the desk moves the session there: the gateway now checks desk commands against it.
    await page.click('[data-testid=desk-picker] button[data-desk="2"]');
    await page.waitForSelector('[data-testid=desk-name][data-desk="2"]');
    const cookie = (await sessionCookie(page)) ?? '';
    expect(await whoIs(env.gw, { cookie })).toMatchObject({ kind: 'staff', staffNo: ada.staffNo, desk: '2' });

    // Sign out: back to the sign-in view, the bus closed, and the cookie worth nothing any more.
    await page.click('[data-testid=sign-out]');
    await page.waitForSelector('[data-testid=sign-in-reason][data-reason=signed-out]');
    await page.waitForSelector('[data-testid=link-state]', { state: 'detached' });
    await expect.poll(() => whoIs(env.gw, { cookie })).toMatchObject({ kind: 'public' });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('switch user hands the console to the next person, who gets their own panels', async () => {
    const receptionist = addStaff(env.gw.gateway, 'receptionist', '1357');
    const installer = addStaff(env.gw.gateway, 'installer', '2468', 'Installer Ivy');
    const page = await env.browser.newPage({ viewport: { width: 1366, height: 768 } });
    const errors = watchErrors(page);
    await page.goto(`${env.gw.httpUrl}/desk/`);
    await signInOnPage(page, receptionist.staffNo, receptionist.pin);
    await page.waitForSelector('[data-testid=desk-picker]');
    expect(await page.$('[data-testid=devices-admin]')).toBeNull();
    expect(await page.$('[data-testid=audit-panel]')).toBeNull();

    await page.click('[data-testid=switch-user]');
    await page.waitForSelector('[data-testid=sign-in-reason][data-reason=switch]');
    await signInOnPage(page, installer.staffNo, installer.pin);
    await page.waitForSelector('[data-testid=staff-bar][data-role=installer]');
    // An installer pairs devices but does not call tickets or read the audit log.
    await page.waitForSelector('[data-testid=devices-admin]');
    await page.waitForSelector('[data-testid=not-front]');
    expect(await page.$('[data-testid=desk-picker]')).toBeNull();
    expect(await page.$('[data-testid=audit-panel]')).toBeNull();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a session ended elsewhere sends the console back to sign-in at its next request', async () => {
    const staff = addStaff(env.gw.gateway, 'receptionist', '9753');
    const page = await env.browser.newPage({ viewport: { width: 1366, height: 768 } });
    const errors = watchErrors(page);
    await page.addInitScript("localStorage.setItem('forecourt.desk', '1')");
    // No bus for this console: only an HTTP answer can tell it that the session is gone.
    await page.routeWebSocket(/\/mqtt$/, (ws) => ws.close());
    await page.goto(`${env.gw.httpUrl}/desk/`);
    await signInOnPage(page, staff.staffNo, staff.pin);
    await page.waitForSelector('[data-testid=call-next]:not([disabled])');
    const cookie = (await sessionCookie(page)) ?? '';

    // Signed out from another tab (same cookie): the gateway ends the session.
    const out = await fetch(`${env.gw.httpUrl}/api/auth/sign-out`, { method: 'POST', headers: { cookie, origin: env.gw.httpUrl, 'content-type': 'application/json' }, body: '{}' });
    expect(out.status).toBe(200);
    await page.keyboard.press('n');
    await page.waitForSelector('[data-testid=sign-in-reason][data-reason=expired]');
    expect(await page.textContent('[data-testid=sign-in-reason]')).toContain('登录已失效');
    expect(await page.$('[data-testid=call-next]')).toBeNull();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('too many wrong PINs: the wait is shown, and the sign-in works once it is over', async () => {
    const staff = addStaff(env.gw.gateway, 'receptionist', '8080');
    const page = await env.browser.newPage({ viewport: { width: 1366, height: 768 } });
    watchErrors(page);
    await page.goto(`${env.gw.httpUrl}/desk/`);
    await page.waitForSelector('[data-testid=sign-in]');
    let code: string | null = null;
    for (let attempt = 1; attempt <= 8 && code !== 'too-many-attempts'; attempt++) {
      await signInOnPage(page, staff.staffNo, '1111');
      code = await page.getAttribute(`[data-testid=sign-in-error][data-attempt="${attempt}"]`, 'data-code');
    }
    expect(code).toBe('too-many-attempts');
    expect(await page.textContent('[data-testid=sign-in-error]')).toMatch(/尝试次数过多，请 \d+ 秒后再试/);
    expect(await page.isDisabled('[data-testid=sign-in-submit]')).toBe(true);

    await page.waitForSelector('[data-testid=sign-in-submit]:not([disabled])', { timeout: 15_000 });
    await page.fill('[data-testid=sign-in-staff-no]', staff.staffNo);
    await signInOnPage(page, staff.staffNo, staff.pin);
    await page.waitForSelector('[data-testid=staff-bar]');
    await page.close();
  });
});

describeRealStack('trust: idle sign-out', CHROMIUM, () => {
  // The shortest idle time the configuration allows for a desk.
  const env = gatewayWithChromium({ configure: (config) => (config.auth.idleTimeoutS.desk = 60) });

  it('warns before, stays signed in on a touch, and signs out after the idle time with nobody at the screen', async () => {
    const staff = addStaff(env.gw.gateway, 'advisor', '4826');
    const page = await env.browser.newPage({ viewport: { width: 1366, height: 768 } });
    const errors = watchErrors(page);
    // The page's clock is driven by the test; the gateway keeps real time.
    await page.clock.install();
    await page.goto(`${env.gw.httpUrl}/desk/`);
    await signInOnPage(page, staff.staffNo, staff.pin);
    await page.waitForSelector('[data-testid=staff-bar]');
    const cookie = (await sessionCookie(page)) ?? '';

    await page.clock.fastForward(35_000);
    await page.waitForSelector('[data-testid=idle-warning]');
    expect(await page.textContent('[data-testid=idle-warning]')).toMatch(/\d+ 秒后将自动退出登录/);
    // Someone touches the screen: the time starts over.
    await page.mouse.click(5, 300);
    await page.waitForSelector('[data-testid=idle-warning]', { state: 'detached' });
    await page.clock.fastForward(45_000);
    expect(await page.$('[data-testid=sign-in]')).toBeNull();

    // Nobody for the whole idle time (60 s): signed out, here and at the gateway.
    await page.clock.fastForward(20_000);
    await page.waitForSelector('[data-testid=sign-in-reason][data-reason=idle]');
    expect(await page.textContent('[data-testid=sign-in-reason]')).toContain('1 分钟无人操作');
    expect(await page.$('[data-testid=staff-bar]')).toBeNull();
    await expect.poll(() => whoIs(env.gw, { cookie })).toMatchObject({ kind: 'public' });
    expect(errors).toEqual([]);
    await page.close();
  });
});

describeRealStack('trust: pairing screens and revoking them', CHROMIUM, () => {
  const env = gatewayWithChromium();

  async function post(path: string, body: unknown, headers: Record<string, string> = env.gw.admin): Promise<{ status: number; json: Record<string, unknown> }> {
    const res = await fetch(`${env.gw.httpUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  }

  const codeOf = async (page: Page): Promise<string> => {
    const code = (await page.getAttribute('[data-testid=pairing]:has([data-testid=pairing-code])', 'data-code')) ?? '';
    expect(code).toMatch(/^\d{6}$/);
    return code;
  };

  describe('a kiosk and a board from fresh to working', () => {
    let kiosk: Page;
    let board: Page;
    let desk: Page;
    let kioskErrors: string[];

    it('a fresh kiosk shows a pairing code, in three languages, and nothing else', async () => {
      kiosk = await env.browser.newPage({ viewport: { width: 1366, height: 768 } });
      kioskErrors = watchErrors(kiosk);
      await kiosk.goto(`${env.gw.httpUrl}/kiosk/`);
      await kiosk.waitForSelector('[data-testid=pairing-code]');
      await codeOf(kiosk);
      const text = (await kiosk.textContent('[data-testid=pairing]')) ?? '';
      expect(text).toContain('请门店的安装人员或经理在服务台的「设备」中输入此配对码');
      expect(text).toContain('請門店的安裝人員或經理在服務台的「設備」中輸入此配對碼');
      expect(text).toContain("Ask the store's installer or manager to enter this code at the desk: Devices.");
      expect(await kiosk.$('[data-testid=service]')).toBeNull();
      expect(await storedToken(kiosk)).toBeNull();
    });

    it('a manager approves it in the desk’s Devices panel; the kiosk then takes tickets', async () => {
      const code = await codeOf(kiosk);
      const manager = addStaff(env.gw.gateway, 'manager', '7319', 'Manager Mo');
      desk = await env.browser.newPage({ viewport: { width: 1366, height: 900 } });
      watchErrors(desk);
      await desk.addInitScript("localStorage.setItem('forecourt.desk', '1')");
      await desk.goto(`${env.gw.httpUrl}/desk/`);
      await signInOnPage(desk, manager.staffNo, manager.pin);
      await desk.click('[data-testid=devices-admin] summary');
      const pending = desk.locator(`[data-testid=pending-request][data-code="${code}"]`);
      await pending.waitFor();
      expect(await pending.getAttribute('data-kind')).toBe('kiosk');
      await pending.locator('[data-testid=use-code]').click();
      const form = desk.locator('[data-testid=approve-form]');
      expect(await form.locator('input[name=code]').inputValue()).toBe(code);
      await form.locator('input[name=name]').fill('Kiosk by the door');
      await form.locator('input[name=station]').fill('kiosk-1');
      await form.locator('[data-testid=approve]').click();
      await desk.waitForSelector('[data-testid=admin-notice][data-code=approved]');
      await desk.waitForSelector('[data-testid=enrolled-device][data-device=kiosk-1][data-revoked=false]');
      await desk.waitForSelector(`[data-testid=pending-request][data-code="${code}"]`, { state: 'detached' });

      // The kiosk collects its token at its next poll and runs as kiosk-1.
      await kiosk.waitForSelector('[data-testid=service]');
      await kiosk.waitForSelector('[data-testid=link-state][data-state=connected]');
      expect(await storedToken(kiosk)).toMatch(/^fcd\.kiosk-1\./);
      await kiosk.click('[data-service=repair]');
      await kiosk.waitForSelector('[data-testid=ticket]');
      expect(await kiosk.textContent('[data-testid=ticket-number]')).toBe('B001');
    });

    it('a board paired by a manager over HTTP shows the call made at the desk', async () => {
      board = await env.browser.newPage({ viewport: { width: 1920, height: 1080 } });
      watchErrors(board);
      await board.goto(`${env.gw.httpUrl}/board/`);
      await board.waitForSelector('[data-testid=pairing-code]');
      const approved = await post('/api/enrol/approve', { code: await codeOf(board), name: 'Lounge TV', station: 'lounge' });
      expect(approved.status).toBe(200);
      await board.waitForSelector('[data-testid=link-state][data-state=connected]');
      await board.waitForSelector('[data-testid=waiting-counts] [data-service=repair]');

      await desk.waitForSelector('[data-testid=waiting-ticket][data-number=B001]');
      await desk.click('[data-testid=call-next]');
      await board.waitForSelector('[data-testid=latest-call][data-number=B001][data-desk="1"]');
      expect(await board.textContent('[data-testid=announcement]')).toBe('请 B 零零一 号到 1号服务台');
    });

    it('the audit log at the desk shows who enrolled what', async () => {
      await desk.click('[data-testid=audit-panel] summary');
      const enrol = desk.locator('[data-testid=audit-row][data-action="device.enrol"]');
      await expect.poll(() => enrol.count()).toBe(2);
      expect(await desk.textContent('[data-testid=audit-rows]')).toContain('device:kiosk-1');
      await desk.fill('[data-testid=audit-panel] input[name=action]', 'device.enrol');
      await desk.click('[data-testid=audit-filter]');
      await expect.poll(() => desk.locator('[data-testid=audit-row]').evaluateAll((rows) => [...new Set(rows.map((r) => r.getAttribute('data-action')))])).toEqual(['device.enrol']);
    });

    it('a kiosk revoked at the desk falls back to pairing at once, and its old token is worthless', async () => {
      const token = (await storedToken(kiosk)) ?? '';
      const row = desk.locator('[data-testid=enrolled-device][data-device=kiosk-1]');
      await row.locator('[data-testid=revoke]').click();
      await row.locator('[data-testid=revoke-confirm]').click();
      await desk.waitForSelector('[data-testid=admin-notice][data-code=revoked]');
      await desk.waitForSelector('[data-testid=enrolled-device][data-device=kiosk-1][data-revoked=true]');

      // The broker closes its connection; the kiosk finds its token refused and asks for a new code.
      await kiosk.waitForSelector('[data-testid=pairing-code]', { timeout: 15_000 });
      expect(await kiosk.$('[data-testid=service]')).toBeNull();
      expect(await storedToken(kiosk)).toBeNull();
      expect(await whoIs(env.gw, bearer(token))).toEqual({ kind: 'refused' });
      expect((await post('/api/queue/commands', { action: 'issue', service: 'repair' }, bearer(token))).status).toBe(401);
      // And the new code is waiting at the desk.
      const code = await codeOf(kiosk);
      await desk.waitForSelector(`[data-testid=pending-request][data-code="${code}"]`);
      expect(kioskErrors).toEqual([]);
    });
  });

  it('a board revoked over HTTP pairs again; a rejected code is replaced by a new one', async () => {
    const board = await enrolledPage(env.browser, env.gw, { id: 'board-tv-2', kind: 'board' }, { width: 1920, height: 1080 });
    const errors = watchErrors(board);
    await board.goto(`${env.gw.httpUrl}/board/`);
    await board.waitForSelector('[data-testid=link-state][data-state=connected]');
    expect((await post('/api/devices/board-tv-2/revoke', {})).status).toBe(200);
    await board.waitForSelector('[data-testid=pairing-code]', { timeout: 15_000 });
    const first = await codeOf(board);

    expect((await post('/api/enrol/reject', { code: first })).status).toBe(200);
    await expect.poll(() => board.getAttribute('[data-testid=pairing]', 'data-code'), { timeout: 10_000 }).toMatch(/^\d{6}$/);
    await expect.poll(() => board.getAttribute('[data-testid=pairing]', 'data-code'), { timeout: 10_000 }).not.toBe(first);
    expect(errors).toEqual([]);
    await board.close();
  });

  // A screen confirmed before connects at once as that device while the gateway checks its token.
  it('a board revoked while it was off starts as the device it was, is refused, and pairs again', async () => {
    const board = await enrolledPage(env.browser, env.gw, { id: 'board-tv-3', kind: 'board' }, { width: 1920, height: 1080 });
    const errors = watchErrors(board);
    await board.goto(`${env.gw.httpUrl}/board/`);
    await board.waitForSelector('[data-testid=link-state][data-state=connected]');
    expect(await board.evaluate("localStorage.getItem('forecourt.device')")).toContain('board-tv-3');
    await board.goto(`${env.gw.httpUrl}/api/store`); // off: the board's page and its bus are gone
    expect((await post('/api/devices/board-tv-3/revoke', {})).status).toBe(200);
    await board.goto(`${env.gw.httpUrl}/board/`);
    await board.waitForSelector('[data-testid=pairing-code]', { timeout: 15_000 });
    expect(await board.evaluate("[localStorage.getItem('forecourt.device'), localStorage.getItem('forecourt.deviceToken')]")).toEqual([null, null]);
    expect(await board.$('[data-testid=link-state][data-state=connected]')).toBeNull();
    expect(errors).toEqual([]);
    await board.close();
  });

  it('a bay is paired with its number; the technician signs in by PIN before any scan', async () => {
    const bay = await env.browser.newPage({ viewport: { width: 1024, height: 768 } });
    const errors = watchErrors(bay);
    await bay.goto(`${env.gw.httpUrl}/bay/`);
    await bay.waitForSelector('[data-testid=pairing-code]');
    expect(await bay.textContent('[data-testid=pairing]')).toContain('bay terminal');
    expect((await post('/api/enrol/approve', { code: await codeOf(bay), name: 'Bay 3', station: '3' })).status).toBe(200);
    await bay.waitForSelector('[data-testid=sign-in]');
    expect(await bay.textContent('header')).toContain('3');
    expect(await bay.$('[data-testid=bay-input]')).toBeNull();

    const technician = addStaff(env.gw.gateway, 'technician', '3141', 'Tech Tan');
    await signInOnPage(bay, technician.staffNo, '9999');
    await bay.waitForSelector('[data-testid=sign-in-error][data-code=bad-credentials]');
    await signInOnPage(bay, technician.staffNo, technician.pin);
    await bay.waitForSelector('[data-testid=bay-input]:focus');
    expect(await bay.textContent('[data-testid=staff-name]')).toBe('Tech Tan');
    await bay.click('[data-testid=sign-out]');
    await bay.waitForSelector('[data-testid=sign-in]');
    expect(await bay.$('[data-testid=bay-input]')).toBeNull();
    expect(errors).toEqual([]);
    await bay.close();
  });
});
