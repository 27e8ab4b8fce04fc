import { chromium, type Browser, type Page } from 'playwright-core';
import type { Gateway, StaffRole } from '@forecourt/gateway';
import type { DeviceKind } from '@forecourt/gateway/protocol';
import { afterAll, beforeAll } from 'vitest';
import { deviceToken, signIn } from './identities.js';
import { startTestGateway, type TestGateway } from './gateway.js';

/** Debian's Chromium, headless, with nothing that reaches for the network on its own (playwright gives each launch a fresh profile). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

type Viewport = { width: number; height: number };
/** What the helpers need of a running gateway (a TestGateway or a MemberGateway). */
/**
 * A real gateway and a headless Chromium for one describe block: started before its tests,
 * stopped after them. Read `env.gw` and `env.browser` inside the tests.
 */
export function gatewayWithChromium(options?: Parameters<typeof startTestGateway>[0]): { gw: TestGateway; browser: Browser } {
  const env = {} as { gw: TestGateway; browser: Browser };
  beforeAll(async () => {
    env.gw = await startTestGateway(options);
    env.browser = await launchChromium();
  });
  afterAll(async () => {
    await env.browser?.close();
    await env.gw?.dispose();
  });
  return env;
}

interface Running {
  gateway: Gateway;
  httpUrl: string;
}

const TEST_ACTOR = { actor: 'test', role: null, via: 'test' };

/** Page-side code as strings: the test project compiles without the DOM library. */
const setItem = (key: string, value: string) => `localStorage.setItem(${JSON.stringify(key)}, ${JSON.stringify(value)})`;

/**
 * A fresh browser context whose screen already holds a device token, as if it had been paired:
 * the token is provisioned in the gateway and put in localStorage before the page's scripts run.
 */
export async function enrolledPage(browser: Browser, gw: Running, device: { id: string; kind: DeviceKind; station?: string }, viewport: Viewport = { width: 1366, height: 768 }): Promise<Page> {
  const token = deviceToken(gw.gateway, device.id, device.kind, device.station);
  const page = await browser.newPage({ viewport });
  await page.addInitScript(setItem('forecourt.deviceToken', token));
  return page;
}

/** A member of staff with a PIN, added to the gateway as `npm run staff -- add` would. */
export function addStaff(gateway: Gateway, role: StaffRole, pin = '2468', name = `test ${role}`): { staffNo: string; pin: string } {
  const row = gateway.identity.addStaff({ name, role, pin }, TEST_ACTOR);
  return { staffNo: row.staffNo, pin };
}

/**
 * A desk console already signed in: a staff member of the role signs in over HTTP (at `desk`,
 * which the page also remembers as its desk) and the page gets the session cookie.
 */
export async function signedInDesk(browser: Browser, gw: Running, options: { role?: StaffRole; desk?: string; viewport?: Viewport } = {}): Promise<Page> {
  const staff = addStaff(gw.gateway, options.role ?? 'receptionist');
  const { status, cookie } = await signIn(gw.httpUrl, staff.staffNo, staff.pin, options.desk);
  if (status !== 200 || !cookie) throw new Error(`sign-in refused: ${status}`);
  const page = await browser.newPage({ viewport: options.viewport ?? { width: 1366, height: 768 } });
  const [name = '', value = ''] = cookie.split('=');
  await page.context().addCookies([{ name, value, url: gw.httpUrl, httpOnly: true, sameSite: 'Strict' }]);
  // As if chosen on an earlier visit; a reload keeps whatever the page chose since.
  if (options.desk) await page.addInitScript(`localStorage.getItem('forecourt.desk') ?? ${setItem('forecourt.desk', options.desk)}`);
  return page;
}

/** Signs in on the sign-in view of a desk or bay page, as a person would, by keyboard. */
export async function signInOnPage(page: Page, staffNo: string, pin: string): Promise<void> {
  await page.fill('[data-testid=sign-in-staff-no]', staffNo);
  await page.fill('[data-testid=sign-in-pin]', pin);
  await page.press('[data-testid=sign-in-pin]', 'Enter');
}

/** The session cookie a page holds, as a `cookie` header value. */
export async function sessionCookie(page: Page): Promise<string | undefined> {
  const found = (await page.context().cookies()).find((c) => c.name === 'forecourt_session');
  return found ? `${found.name}=${found.value}` : undefined;
}

/** The device token a page holds in localStorage. */
export function storedToken(page: Page): Promise<string | null> {
  return page.evaluate<string | null>("localStorage.getItem('forecourt.deviceToken')");
}
