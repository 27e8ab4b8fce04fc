/**
 * `npm run bench:screens [-- --json] [--runs 3] [--changes 200] [--rate 6] [--no-stats] [--data FILE]`
 *
 * The screens on weak hardware (issue 14): a lounge TV box, a cheap kiosk PC, a customer's phone.
 * The built gateway runs as its own process with a busy day (200 repair orders, 60 waiting
 * tickets), seeded over its HTTP commands with a manager's token; the board and the kiosk are
 * enrolled screens (device tokens provisioned on the data directory, put in localStorage as a
 * paired screen holds them: the token and the device the gateway confirmed, as on every start
 * after its first). Each screen opens in headless Chromium (Debian's, via playwright-core)
 * with its CPU slowed `--rate` times by DevTools' `Emulation.setCPUThrottlingRate`, in a fresh
 * context (nothing cached), and its first render is timed in the page: from the navigation's start
 * to the moment the screen shows its data (board: a workshop row; kiosk: a service button; status
 * page: the order). Then, on the throttled board, stage commands go over HTTP one at a time and
 * each row's new `data-stage` is timed in the page (clocks aligned first). Sizes: what each page
 * loads up front, gzipped (screen-sizes.ts). The statistics query figure is `bench:stats`'s own
 * measurement, run as it is (`--no-stats` leaves it out: it takes a few minutes; `--data` hands it
 * the Anonymous Bank log when this tree is not beside `../shared/data`, as in a clone elsewhere).
 * Human-readable lines first; with --json the last line is one JSON object of the figures.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { performance } from 'node:perf_hooks';
import type { ChildProcess } from 'node:child_process';
import { chromium, type Browser, type Page } from 'playwright-core';
import { provisionAll, staffTokenFor } from './bus-credentials.js';
import { STORE_ID, TIME_ZONE, type Member } from './bus-mix.js';
import { GATEWAY_ENV, GATEWAY_NODE_FLAGS, percentile } from './figures.js';
import { startGatewayIn, stopChild } from './gateway-process.js';
import { pageClockOffset, STAGE_RECORDER, stageShownAt, wallNow } from './page-clock.js';
import { pairedScreen, pairedScreenScript, type PairedScreen } from './paired-screen.js';
import { kb, screenSize, SIZE_TARGET_KB } from './screen-sizes.js';
import { BenchFailure, runBench } from './run-bench.js';

const FIRST_RENDER_TARGET_MS = 1500;
const STAGE_TARGET_P99_MS = 300;
const STATS_TARGET_P99_MS = 200;
const ROW_TIMEOUT_MS = 10_000;
const STATS_BENCH = fileURLToPath(new URL('./stats-bench.js', import.meta.url));


const say = (line: string) => process.stdout.write(`${line}\n`);
const round = (value: number, digits = 1) => Number(value.toFixed(digits));
const median = (values: number[]) => percentile([...values].sort((a, b) => a - b), 50);

/**
 * Installed in every page before its scripts, beside STAGE_RECORDER: the time (ms since the
 * navigation's start) when the first element matching `window.benchSelector` appears.
 */
const FIRST_RENDER_RECORDER = `(() => {
  window.benchFirst = undefined;
  new MutationObserver(() => {
    if (window.benchFirst === undefined && window.benchSelector && document.querySelector(window.benchSelector)) window.benchFirst = performance.now();
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-stage'] });
})();`;



/** A fresh context and page with the CPU slowed `rate` times; `paired`: as a paired screen starts (not its first start). */
async function throttledPage(browser: Browser, rate: number, viewport: { width: number; height: number }, paired?: PairedScreen): Promise<Page> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  await page.addInitScript({ content: FIRST_RENDER_RECORDER });
  await page.addInitScript({ content: STAGE_RECORDER });
  if (paired) {
    await page.addInitScript({ content: pairedScreenScript(paired) });
  }
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate });
  return page;
}

/** Navigates and answers the ms from the navigation's start to the first element matching `selector`. */
async function firstRender(page: Page, url: string, selector: string): Promise<number> {
  await page.addInitScript({ content: `window.benchSelector = ${JSON.stringify(selector)};` });
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForFunction('window.benchFirst !== undefined', undefined, { timeout: 30_000, polling: 200 });
  return (await page.evaluate('window.benchFirst')) as number;
}

async function statsFigure(data: string | undefined): Promise<number | null> {
  // The statistics are the gateway's: they run under its node flags and environment, as `npm run bench:stats` does.
  const { stdout } = await promisify(execFile)(process.execPath, [...GATEWAY_NODE_FLAGS, STATS_BENCH, '--json', ...(data ? ['--data', resolve(data)] : [])], {
    env: { ...GATEWAY_ENV, ...process.env },
    maxBuffer: 16 * 1024 * 1024,
    timeout: 20 * 60_000,
  });
  const last = stdout.trim().split('\n').at(-1) ?? '{}';
  const value = (JSON.parse(last) as { stats_query_p99_ms_year?: unknown }).stats_query_p99_ms_year;
  return typeof value === 'number' ? value : null;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      runs: { type: 'string', default: '3' },
      changes: { type: 'string', default: '200' },
      rate: { type: 'string', default: '6' },
      'no-stats': { type: 'boolean', default: false },
      data: { type: 'string' },
    },
    strict: true,
  });
  const runs = Number(values.runs);
  const changes = Number(values.changes);
  const rate = Number(values.rate);
  for (const [name, n] of [['runs', runs], ['changes', changes], ['rate', rate]] as const) {
    if (!Number.isInteger(n) || n < 1) throw new BenchFailure(`--${name} must be a whole number above 0`);
  }
  say(`Screens benchmark: board, kiosk and phone status page with the CPU slowed ${rate}× (DevTools), a busy day of 200 orders and 60 waiting tickets`);
  say(`  ${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} before the start`);

  const sizes = { board: screenSize('board'), kiosk: screenSize('kiosk'), status: screenSize('status') };
  for (const [name, size] of Object.entries(sizes)) {
    const target = SIZE_TARGET_KB[name as keyof typeof sizes];
    say(`  ${name}: ${kb(size.totalGz)} kB gzip up front (JS ${kb(size.jsGz)}, CSS ${kb(size.cssGz)}, ${size.files.length} files)${target ? `, target ≤ ${target}: ${kb(size.totalGz) <= target ? 'met' : 'NOT MET'}` : ''}`);
  }

  const dataDir = mkdtempSync(resolve(tmpdir(), 'forecourt-bench-screens-'));
  let browser: Browser | undefined;
  let gateway: ChildProcess | undefined;
  try {
    const screens: Member[] = [
      { id: 'board-1', kind: 'board', role: 'board' },
      { id: 'kiosk-1', kind: 'kiosk', role: 'kiosk' },
    ];
    const credentials = await provisionAll(dataDir, screens, STORE_ID, { useCli: false });
    const manager = await staffTokenFor(dataDir, 'manager', STORE_ID, { useCli: false });
    const started = await startGatewayIn(dataDir, { store: { id: STORE_ID, timeZone: TIME_ZONE, language: 'zh-Hans' }, workshop: { board: { layout: 'both' } } });
    gateway = started.child;
    const base = started.base;
    const post = async (url: string, body: object): Promise<Record<string, unknown>> => {
      const res = await fetch(`${base}${url}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${manager}` }, body: JSON.stringify(body) });
      const answer = (await res.json()) as Record<string, unknown> & { error?: { code: string; message: string } };
      if (!res.ok) throw new BenchFailure(`gateway refused ${url} ${JSON.stringify(body)}: ${answer.error?.code} ${answer.error?.message}`);
      return answer;
    };

    // The busy day: 200 orders (150 in repair, 50 at reception) and 60 tickets waiting.
    const t0 = performance.now();
    const orders: { no: string; token: string }[] = [];
    for (let i = 0; i < 200; i++) {
      const { order } = (await post('/api/workshop/commands', {
        action: 'open',
        plate: `粤B·${String(20000 + i)}`,
        model: i % 2 ? 'Toyota Camry' : 'Honda Accord',
        advisor: '王芳',
        jobs: [{ title: '保养 Oil service', technicians: ['张伟'] }],
      })) as { order: { no: string; token: string } };
      orders.push(order);
      if (i < 150) {
        await post('/api/workshop/commands', { action: 'move', order: order.no, to: 'dispatched' });
        await post('/api/workshop/commands', { action: 'move', order: order.no, to: 'in-repair' });
      }
    }
    const services = ['maintenance', 'repair', 'claims', 'sales'];
    for (let i = 0; i < 60; i++) await post('/api/queue/commands', { action: 'issue', service: services[i % services.length] });
    say(`  seeded over HTTP with a manager's token in ${((performance.now() - t0) / 1000).toFixed(1)} s: 200 orders, 60 waiting tickets`);

    browser = await chromium
      .launch({
        executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-renderer-backgrounding', '--disable-background-timer-throttling'],
      })
      .catch((err: unknown) => {
        throw new BenchFailure(`Chromium did not start (apt-get install -y chromium fonts-noto-cjk): ${(err as Error).message}`);
      });
    const boardToken = credentials.logins.get('board-1')?.password;
    const kioskToken = credentials.logins.get('kiosk-1')?.password;
    const statusOrder = orders[0];
    if (!boardToken || !kioskToken || !statusOrder) throw new BenchFailure('no device token for the board or the kiosk');
    const boardScreen = await pairedScreen(base, boardToken);
    const kioskScreen = await pairedScreen(base, kioskToken);

    const tv = { width: 1920, height: 1080 };
    const firsts: Record<'board' | 'kiosk' | 'status', number[]> = { board: [], kiosk: [], status: [] };
    for (let r = 0; r < runs; r++) {
      for (const [name, url, selector, screen, viewport] of [
        ['board', `${base}/board/`, '[data-testid=ws-row]', boardScreen, tv],
        ['kiosk', `${base}/kiosk/`, '[data-testid=service]', kioskScreen, { width: 1080, height: 1920 }],
        ['status', `${base}/status/?t=${statusOrder.token}`, '[data-testid=status-order]', undefined, { width: 390, height: 844 }],
      ] as const) {
        const page = await throttledPage(browser, rate, viewport, screen);
        firsts[name].push(await firstRender(page, url, selector));
        if (r === runs - 1) {
          // Where the time went: each request's end, ms after the navigation's start.
          const steps = (await page.evaluate(`[...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')].map((e) => [e.name.replace(location.origin, '').slice(0, 40), Math.round(e.responseEnd)])`)) as [string, number][];
          say(`    ${name}: ${steps.map(([n, t]) => `${n} ${t}`).join(', ')}; first render ${(firsts[name].at(-1) ?? 0).toFixed(0)}`);
        }
        await page.context().close();
      }
    }
    for (const [name, times] of Object.entries(firsts)) say(`  ${name} first render (${rate}× slower CPU, cold): ${times.map((t) => `${t.toFixed(0)} ms`).join(', ')}; median ${median(times).toFixed(0)} ms`);

    // Stage → board on the throttled board, its page held still: only the page on screen has rows.
    const board = await throttledPage(browser, rate, tv, boardScreen);
    await firstRender(board, `${base}/board/?pageSeconds=86400`, '[data-testid=ws-row]');
    await board.waitForFunction(`document.querySelectorAll('[data-testid=ws-row][data-stage=in-repair]').length > 0`, undefined, { timeout: 30_000, polling: 200 });
    const shown = (await board.evaluate(`[...document.querySelectorAll('[data-testid=ws-row][data-stage=in-repair]')].map((e) => e.dataset.order)`)) as string[];
    const offset = await pageClockOffset(board);
    const samples: number[] = [];
    const state = new Map(shown.map((no) => [no, 'in-repair']));
    for (let i = 0; i < changes; i++) {
      const no = shown[i % shown.length] ?? '';
      const to = state.get(no) === 'in-repair' ? 'paused' : 'in-repair';
      state.set(no, to);
      const sent = wallNow();
      await post('/api/workshop/commands', to === 'paused' ? { action: 'move', order: no, to, reason: 'parts' } : { action: 'move', order: no, to });
      const at = await Promise.race([
        stageShownAt(board, no, to, sent + offset - 1),
        new Promise<never>((_, reject) => setTimeout(() => reject(new BenchFailure(`the board did not show ${no} ${to} within ${ROW_TIMEOUT_MS} ms`)), ROW_TIMEOUT_MS)),
      ]);
      samples.push(at - offset - sent);
      await new Promise((r) => setTimeout(r, 200));
    }
    samples.sort((a, b) => a - b);
    const stageP99 = percentile(samples, 99);
    say(`  stage command → row on the ${rate}× throttled board (${shown.length} rows on screen, ${changes} changes): p50 ${percentile(samples, 50).toFixed(0)} ms, p99 ${stageP99.toFixed(0)} ms, max ${(samples.at(-1) ?? NaN).toFixed(0)} ms`);
    await browser.close();
    browser = undefined;
    await stopChild(gateway);
    gateway = undefined;

    let statsP99: number | null = null;
    if (!values['no-stats']) {
      say('  statistics: running bench:stats (a year of a busy store)…');
      statsP99 = await statsFigure(values.data);
      say(`  statistics over a year: query p99 ${statsP99 ?? '—'} ms`);
    }

    const figures = {
      board_first_render_ms: round(median(firsts.board), 0),
      kiosk_first_render_ms: round(median(firsts.kiosk), 0),
      status_first_render_ms: round(median(firsts.status), 0),
      stage_to_board_p99_ms_throttled: round(stageP99, 0),
      board_kb_gz: kb(sizes.board.totalGz),
      kiosk_kb_gz: kb(sizes.kiosk.totalGz),
      status_kb_gz: kb(sizes.status.totalGz),
      stats_query_p99_ms_year: statsP99,
    };
    const verdict = (ok: boolean) => (ok ? 'met' : 'NOT MET');
    say(`Targets: first render ≤ ${FIRST_RENDER_TARGET_MS} ms: board ${verdict(figures.board_first_render_ms <= FIRST_RENDER_TARGET_MS)}, kiosk ${verdict(figures.kiosk_first_render_ms <= FIRST_RENDER_TARGET_MS)}, status ${verdict(figures.status_first_render_ms <= FIRST_RENDER_TARGET_MS)}; stage → board p99 ≤ ${STAGE_TARGET_P99_MS} ms: ${verdict(stageP99 <= STAGE_TARGET_P99_MS)}; statistics p99 ≤ ${STATS_TARGET_P99_MS} ms: ${statsP99 === null ? 'not run' : verdict(statsP99 <= STATS_TARGET_P99_MS)}`);
    say(`  load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} at the end`);
    if (values.json) say(JSON.stringify(figures));
  } finally {
    await browser?.close();
    await stopChild(gateway);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

runBench('bench:screens', main);
