import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Language } from '@forecourt/gateway/protocol';
import { addStaff, enrolledPage, gatewayWithChromium, signedInDesk, signInOnPage } from '../support/browser.js';
import { REPO_ROOT } from '../support/process.js';
import { releaseOrder } from '../support/survey.js';
import { describeRealStack } from '../support/real-stack.js';
import { spokenTicket } from '../../screen-lib/src/spoken.js';

// Every screen in every language through axe-core in Chromium: <html lang> follows the chosen
// language, and axe finds no serious or critical violation of WCAG 2.2 A/AA. One gateway, one
// browser; each screen is opened once and switched through the three languages.

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];
/** Not WCAG criteria in axe's book but what a screen reader finds its way by: each a failure at any impact. */
const STRUCTURE_RULES = ['landmark-one-main', 'region', 'page-has-heading-one', 'landmark-no-duplicate-main', 'landmark-unique'];
const LANGUAGES: Language[] = ['zh-Hans', 'zh-Hant', 'en'];

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/**
 * What axe finds on the page as it is now, one line per element: every serious or critical
 * violation of WCAG 2.2 A/AA (or of axe's best practices), and any of the structure rules.
 */
async function seriousViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate<boolean>('typeof window.axe === "object"'))) await page.addScriptTag({ content: AXE_SOURCE });
  const violations = await page.evaluate<AxeViolation[]>(`axe.run(document, {
    runOnly: { type: 'tag', values: ${JSON.stringify([...WCAG_TAGS, 'best-practice'])} },
    resultTypes: ['violations'],
  }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) })))`);
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical' || STRUCTURE_RULES.includes(v.id))
    .flatMap((v) => v.nodes.map((n) => `${v.impact} ${v.id} (${v.help}) at ${n.target.join(' ')}: ${n.failureSummary ?? ''}`));
}

/** Picks a language on the screen's own switch, as a customer would, and waits for <html lang>. */
async function choose(page: Page, language: Language): Promise<void> {
  await page.click(`header [role=group] button[lang="${language}"]`);
  await page.waitForFunction(`document.documentElement.lang === ${JSON.stringify(language)}`);
}

/** The focused element, named by its test id (or tag), and whether its focus ring is plain to see. */
interface Focused {
  name: string;
  ring: boolean;
}
const FOCUSED = `(() => {
  const el = document.activeElement;
  if (!el || el === document.body) return { name: 'body', ring: true };
  const cs = getComputedStyle(el);
  const name = el.getAttribute('data-testid') ?? el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ')[0] : '');
  return { name, ring: cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2 };
})()`;

/**
 * Presses Tab until the element with the test id has the focus (at most `max` times), as a person
 * who cannot use a mouse would; every stop on the way must show its focus ring.
 */
async function tabTo(page: Page, testId: string, max = 60, key = 'Tab'): Promise<Focused[]> {
  const stops: Focused[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(key);
    const focused = await page.evaluate<Focused>(FOCUSED);
    stops.push(focused);
    if (focused.name === testId) return stops;
  }
  throw new Error(`${testId} not reached by ${key} in ${max} presses: ${stops.map((s) => s.name).join(' → ')}`);
}

/**
 * speechSynthesis as a recorder with three voices, put in before the page's scripts: headless
 * Chromium has no voices here, and the test must hear what the kiosk says, and in which voice.
 */
const FAKE_SPEECH = `(() => {
  const voices = [['Mandarin', 'zh-CN'], ['Taiwanese Mandarin', 'zh-TW'], ['English', 'en-US']].map(([name, lang]) => ({ name, lang, voiceURI: name, default: false, localService: true }));
  window.__spoken = [];
  window.__cancelled = 0;
  const synth = new EventTarget();
  synth.getVoices = () => voices;
  synth.speak = (u) => { window.__spoken.push({ text: u.text, voice: u.voice ? u.voice.name : null }); setTimeout(() => u.onend && u.onend(), 10); };
  synth.cancel = () => { window.__cancelled++; };
  Object.defineProperty(window, 'speechSynthesis', { value: synth, configurable: true });
  window.SpeechSynthesisUtterance = class { constructor(text) { this.text = text; this.voice = null; this.lang = ''; this.rate = 1; } };
})()`;
interface Spoken {
  text: string;
  voice: string | null;
}

describeRealStack('accessibility in Chromium (axe-core, WCAG 2.2 A/AA)', { binaries: ['chromium'], debian: 'chromium fonts-noto-cjk' }, () => {
  const env = gatewayWithChromium();
  let orderToken = '';
  let releasedToken = '';
  let ticketId = '';

  async function post(path: string, body: object): Promise<Record<string, { id?: string; token?: string }>> {
    const res = await fetch(`${env.gw.httpUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...env.gw.admin }, body: JSON.stringify(body) });
    expect(res.status).toBe(200);
    return (await res.json()) as Record<string, { id?: string; token?: string }>;
  }

  beforeAll(async () => {
    // Something on every screen: waiting tickets, one called to desk 2, a repair order in the workshop.
    for (const service of ['maintenance', 'maintenance', 'repair']) ticketId = (await post('/api/queue/commands', { action: 'issue', service })).ticket?.id ?? '';
    await post('/api/queue/commands', { action: 'call-next', desk: '2' });
    const open = await post('/api/workshop/commands', { action: 'open', plate: '粤B·D5678', model: 'Toyota Camry', advisor: '王芳', jobs: [{ title: 'Oil service', technicians: ['张伟'] }], promisedAt: new Date(Date.now() + 3 * 3600_000).toISOString() });
    orderToken = open.order?.token ?? '';
    await post('/api/workshop/commands', { action: 'move', order: (open.order as { no?: string }).no, to: 'dispatched' });
    // A released order: its phone page offers the satisfaction survey.
    const released = await releaseOrder((command) => post('/api/workshop/commands', command), { plate: '粤B·A1111' });
    const order = (await (await fetch(`${env.gw.httpUrl}/api/workshop/orders/${released}`, { headers: env.gw.admin })).json()) as { order: { statusPath: string } };
    releasedToken = new URLSearchParams(order.order.statusPath.split('?')[1]).get('t') ?? '';
  });

  /** Each screen opened ready to be looked at, with its language switch in the header. */
  const SCREENS: Record<string, () => Promise<Page>> = {
    kiosk: async () => {
      const page = await enrolledPage(env.browser, env.gw, { id: 'a11y-kiosk', kind: 'kiosk' });
      await page.goto(`${env.gw.httpUrl}/kiosk/`);
      await page.waitForSelector('[data-testid=service]');
      return page;
    },
    board: async () => {
      const page = await enrolledPage(env.browser, env.gw, { id: 'a11y-board', kind: 'board' }, { width: 1920, height: 1080 });
      await page.goto(`${env.gw.httpUrl}/board/`);
      await page.waitForSelector('[data-testid=link-state][data-state=connected]');
      return page;
    },
    'workshop board': async () => {
      const page = await enrolledPage(env.browser, env.gw, { id: 'a11y-workshop', kind: 'board' }, { width: 1920, height: 1080 });
      await page.goto(`${env.gw.httpUrl}/board/?view=workshop`);
      await page.waitForSelector('[data-testid=ws-row]');
      return page;
    },
    desk: async () => {
      const page = await signedInDesk(env.browser, env.gw, { role: 'manager', desk: '1' });
      await page.goto(`${env.gw.httpUrl}/desk/`);
      await page.waitForSelector('[data-testid=link-state][data-state=connected]');
      await page.waitForSelector('[data-testid=desk-name]');
      await page.waitForSelector('[data-testid=waiting-ticket]');
      // Every folding panel open, so that axe looks inside them too.
      await page.evaluate(`document.querySelectorAll('details').forEach((d) => { d.open = true; })`);
      return page;
    },
    bay: async () => {
      const page = await enrolledPage(env.browser, env.gw, { id: 'a11y-bay', kind: 'bay', station: '1' }, { width: 1024, height: 768 });
      await page.goto(`${env.gw.httpUrl}/bay/`);
      const technician = addStaff(env.gw.gateway, 'technician');
      await signInOnPage(page, technician.staffNo, technician.pin);
      await page.waitForSelector('[data-testid=bay-input]:focus');
      return page;
    },
    'phone status': async () => {
      const page = await env.browser.newPage({ viewport: { width: 390, height: 844 } });
      await page.goto(`${env.gw.httpUrl}/status/?t=${orderToken}`);
      await page.waitForSelector('[data-testid=status-order]');
      return page;
    },
    'phone survey': async () => {
      const page = await env.browser.newPage({ viewport: { width: 390, height: 844 } });
      await page.goto(`${env.gw.httpUrl}/status/?t=${releasedToken}`);
      await page.waitForSelector('[data-testid=survey][data-state=form]');
      return page;
    },
    'kiosk pairing': async () => {
      // A new screen without a token: it shows its pairing code until an installer approves it.
      const page = await env.browser.newPage({ viewport: { width: 1366, height: 768 } });
      await page.goto(`${env.gw.httpUrl}/kiosk/`);
      await page.waitForSelector('[data-testid=pairing-code]');
      return page;
    },
    'desk sign-in': async () => {
      const page = await env.browser.newPage({ viewport: { width: 1366, height: 768 } });
      await page.goto(`${env.gw.httpUrl}/desk/`);
      await page.waitForSelector('[data-testid=sign-in]');
      return page;
    },
  };

  /** A second state worth checking: the kiosk's ticket, a ticket at the desk with the transfer dialog open. */
  const NEXT_STATE: Record<string, (page: Page) => Promise<void>> = {
    kiosk: async (page) => {
      await page.click('[data-testid=service][data-service=sales]');
      await page.waitForSelector('[data-testid=ticket-number]');
    },
    desk: async (page) => {
      // Panels folded again, so the queue has its room back.
      await page.evaluate(`document.querySelectorAll('details').forEach((d) => { d.open = false; })`);
      await post('/api/queue/commands', { action: 'call-next', desk: '1' });
      await page.waitForSelector('[data-testid=current-ticket]');
      await page.click('[data-testid=action-transfer]');
      await page.waitForSelector('[data-testid=transfer-dialog][open]');
    },
  };

  it.each(Object.keys(SCREENS))('%s: <html lang> follows the language, no serious or critical violations in any', async (name) => {
    const page = await SCREENS[name]!();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    const found: string[] = [];
    for (const language of LANGUAGES) {
      await choose(page, language);
      found.push(...(await seriousViolations(page)).map((line) => `${name} [${language}] ${line}`));
    }
    // The screen's next state too, where it has one that matters (in the last language).
    const next = NEXT_STATE[name];
    if (next) {
      await next(page);
      found.push(...(await seriousViolations(page)).map((line) => `${name} (next) ${line}`));
    }
    expect(found).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

  it('the phone page of a printed ticket (/t/…, server-rendered, all three languages at once)', async () => {
    const page = await env.browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.clock.install();
    await page.goto(`${env.gw.httpUrl}/t/${ticketId}`);
    // The page speaks the store's language; each language's section says which it is.
    expect(await page.evaluate<string>('document.documentElement.lang')).toBe(env.gw.config.store.language);
    expect(await page.locator('section[lang]').evaluateAll((els) => els.map((el) => el.getAttribute('lang')))).toEqual(LANGUAGES);
    expect(await seriousViolations(page)).toEqual([]);
    // It follows the ticket in place, without a reload that would throw a screen reader back to the top.
    expect(await page.textContent('section[lang=en] .state')).toBe('Waiting');
    await page.evaluate(`window.marker = 'still the same document'`);
    await post('/api/queue/commands', { action: 'call', desk: '1', ticketId });
    await page.clock.fastForward(20_000);
    await expect.poll(() => page.textContent('section[lang=en] .state')).toBe('Please go to the desk');
    expect(await page.evaluate<string>('window.marker')).toBe('still the same document');
    await page.close();
  });
  it('the desk works by keyboard alone: call next, finish, transfer dialog and member panel with Escape, the desk picker; focus always visible', async () => {
    // Desk 4 serves pickups and claims: its own queue, whatever the other tests called.
    const first = (await post('/api/queue/commands', { action: 'issue', service: 'pickup' })).ticket as { id: string; number: string };
    const second = (await post('/api/queue/commands', { action: 'issue', service: 'pickup' })).ticket as { id: string; number: string };
    const page = await signedInDesk(env.browser, env.gw, { role: 'receptionist', desk: '4' });
    page.setDefaultTimeout(10_000);
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`${env.gw.httpUrl}/desk/`);
    await page.waitForSelector(`[data-testid=waiting-ticket]`);
    const state = async (id: string) => ((await (await fetch(`${env.gw.httpUrl}/api/queue/tickets/${id}`)).json()) as { ticket: { state: string } }).ticket.state;
    const stops: Focused[] = [];

    // Tab order reaches "call next"; Enter presses it.
    stops.push(...(await tabTo(page, 'call-next')));
    await page.keyboard.press('Enter');
    await page.waitForSelector(`[data-testid=current-ticket][data-number="${first.number}"]`);
    // On to "finish" (Tab order: the ticket's buttons follow the call button); Space presses it.
    stops.push(...(await tabTo(page, 'action-finish')));
    await page.keyboard.press('Space');
    await expect.poll(() => state(first.id)).toBe('done');
    await page.waitForSelector('[data-testid=no-current]');

    // The single-key shortcut calls the next; the transfer dialog opens on Enter, Escape closes it
    // and the focus is back on the button that opened it.
    await page.keyboard.press('n');
    await page.waitForSelector(`[data-testid=current-ticket][data-number="${second.number}"]`);
    stops.push(...(await tabTo(page, 'action-transfer')));
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid=transfer-dialog][open]');
    expect(await page.evaluate<boolean>(`document.querySelector('[data-testid=transfer-dialog]').contains(document.activeElement)`)).toBe(true);
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid=transfer-dialog]:not([open])', { state: 'attached' });
    expect((await page.evaluate<Focused>(FOCUSED)).name).toBe('action-transfer');
    expect(await state(second.id)).toBe('called');

    // The member panel: Enter on its tab opens it with the focus in the search field; Escape closes it.
    stops.push(...(await tabTo(page, 'member-tab')));
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid=member-panel]');
    expect((await page.evaluate<Focused>(FOCUSED)).name).toBe('member-search');
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid=member-panel]', { state: 'detached' });
    expect((await page.evaluate<Focused>(FOCUSED)).name).toBe('member-tab');

    // Back to the ticket (Shift+Tab), finish it by its shortcut; change desk: Escape goes back, focus where it was.
    stops.push(...(await tabTo(page, 'action-finish', 60, 'Shift+Tab')));
    await page.keyboard.press('f');
    await expect.poll(() => state(second.id)).toBe('done');
    stops.push(...(await tabTo(page, 'button.link', 60, 'Shift+Tab')));
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid=desk-picker]');
    expect(await page.evaluate<string | null>(`document.activeElement.getAttribute('data-desk')`)).toBe('4');
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid=desk-name]');
    expect((await page.evaluate<Focused>(FOCUSED)).name).toBe('button.link');

    expect(stops.filter((s) => !s.ring).map((s) => s.name)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
  it('the kiosk reads aloud when asked (off by default, in the language chosen, off again when the session ends) and has a remembered large-text mode', async () => {
    const page = await enrolledPage(env.browser, env.gw, { id: 'a11y-kiosk-comfort', kind: 'kiosk' });
    await page.addInitScript(FAKE_SPEECH);
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`${env.gw.httpUrl}/kiosk/?idle=4`);
    await page.waitForSelector('[data-testid=service]');
    const spoken = () => page.evaluate<Spoken[]>('window.__spoken');
    const last = async () => (await spoken()).at(-1);
    const pressed = (id: string) => page.getAttribute(`[data-testid=${id}]`, 'aria-pressed');

    // Off by default: nothing said.
    expect(await pressed('comfort-speech')).toBe('false');
    await choose(page, 'zh-Hant');
    await page.waitForTimeout(300);
    expect(await spoken()).toEqual([]);

    // On: the start screen's instruction at once, in a Traditional Chinese voice; a language change reads it again in that language.
    await page.click('[data-testid=comfort-speech]');
    expect(await pressed('comfort-speech')).toBe('true');
    await expect.poll(last).toEqual({ text: '歡迎光臨。請刷會員卡，或選擇服務取號', voice: 'Taiwanese Mandarin' });
    await choose(page, 'en');
    await expect.poll(last).toEqual({ text: 'Welcome. Tap your member card, or choose a service to take a ticket', voice: 'English' });

    // A ticket: its number digit by digit, the people ahead and the wait.
    await page.click('[data-testid=service][data-service=claims]');
    const number = (await page.locator('[data-testid=ticket-number]').textContent()) ?? '';
    await expect.poll(async () => (await last())?.text ?? '').toContain(`Your number is ${spokenTicket(number, 'en')}, for `);
    expect((await last())?.text).toContain(`${await page.textContent('[data-testid=people-ahead]')} people ahead of you`);
    expect((await last())?.voice).toBe('English');

    // Done: the session is over; the next customer finds the kiosk silent.
    const before = (await spoken()).length;
    await page.click('[data-testid=ticket] button.primary');
    expect(await pressed('comfort-speech')).toBe('false');
    await page.waitForTimeout(300);
    expect((await spoken()).length).toBe(before);
    expect(await page.evaluate<number>('window.__cancelled')).toBeGreaterThan(0);

    // Turned on and left at the start screen: the idle return turns it off too.
    await page.click('[data-testid=comfort-speech]');
    await expect.poll(() => pressed('comfort-speech'), { timeout: 8_000 }).toBe('false');

    // Large text with high contrast: larger, still clean for axe, and kept on this kiosk after a reload.
    const size = () => page.evaluate<number>(`parseFloat(getComputedStyle(document.querySelector('main h1')).fontSize)`);
    const normal = await size();
    await page.click('[data-testid=comfort-large]');
    expect(await pressed('comfort-large')).toBe('true');
    expect(await size()).toBeGreaterThan(normal * 1.25);
    expect(await seriousViolations(page)).toEqual([]);
    mkdirSync(join(REPO_ROOT, 'test-artifacts'), { recursive: true });
    await page.screenshot({ path: join(REPO_ROOT, 'test-artifacts', 'kiosk-large-text.png') });
    await page.reload();
    await page.waitForSelector('[data-testid=service]');
    expect(await page.evaluate<boolean>(`document.documentElement.hasAttribute('data-large')`)).toBe(true);
    expect(await pressed('comfort-speech')).toBe('false');
    await page.click('[data-testid=comfort-large]');
    expect(await size()).toBe(normal);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
