/**
 * `npm run bench:board [-- --json] [--boards N] [--pages N] [--orders N] [--changes N] [--gap-ms N]`
 *
 * From a stage command to the updated row in the DOM of every lounge board: the built gateway as
 * its own process on loopback with a day of repair orders, N boards open as pages of one headless
 * Chromium (Debian's, via playwright-core), and stage commands sent over HTTP one at a time with a
 * short pause between them (a workshop changes a stage every few seconds, not back to back), each
 * toggling one of the orders on screen (the pages are held on their first page; a board mounts
 * only the rows on screen) between in repair and paused, with a workshop controller's bearer
 * token. Every board is an enrolled screen with a device token of its own (provisioned on the data
 * directory before the start, as screens-bench.ts does). Each page records, with a MutationObserver,
 * when the row's `data-stage` changes; the page clocks are aligned to this process's clock first.
 * With `--pages N` below `--boards`, only N boards are pages; the others are MQTT-over-WebSocket
 * clients that keep the board the same way (snapshot, then newer changes) and count when the row
 * changes in their copy: the fallback for a machine where that many pages do not fit.
 * Human-readable lines first; with --json the last line is one JSON object of the figures.
 * Exit 1 when a board misses a change or Chromium cannot start.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import mqtt, { type MqttClient } from 'mqtt';
import { chromium, type Browser, type Page } from 'playwright-core';
import { WorkshopBoard, WorkshopBoardChange } from '../protocol/index.js';
import { provisionAll, staffTokenFor, type Login } from './bus-credentials.js';
import { STORE_ID, type Member } from './bus-mix.js';
import { percentile } from './figures.js';
import { startGatewayIn } from './gateway-process.js';
import { pageClockOffset, STAGE_RECORDER, stageShownAt, wallNow } from './page-clock.js';
import { pairedScreen, pairedScreenScript } from './paired-screen.js';
import { BenchFailure, runBench } from './run-bench.js';

const TARGET_P99_MS = 150;
const BOARD_TIMEOUT_MS = 5000;


const round = (value: number, digits = 2) => Number(value.toFixed(digits));
/** A board without a browser: the same snapshot-and-changes rules as board-ui's WorkshopFeed, in this process. */
class SocketBoard {
  private rev = -1;
  private readonly stages = new Map<string, string>();
  private waiters: { no: string; stage: string; resolve: (t: number) => void }[] = [];

  private constructor(private readonly client: MqttClient) {}

  static async open(url: string, store: string, login: Login): Promise<SocketBoard> {
    const client = await mqtt.connectAsync(url, { ...login, reconnectPeriod: 0, connectTimeout: 5000 });
    const board = new SocketBoard(client);
    client.on('message', (topic, payload) => board.receive(topic, payload));
    await client.subscribeAsync([`forecourt/v1/${store}/workshop/board`, `forecourt/v1/${store}/workshop/board/changes`], { qos: 1 });
    return board;
  }

  at(no: string, stage: string): Promise<number> {
    return new Promise((resolve) => this.waiters.push({ no, stage, resolve }));
  }

  close(): Promise<void> {
    return this.client.endAsync(true);
  }

  private receive(topic: string, payload: Buffer): void {
    const t = wallNow();
    const json: unknown = JSON.parse(payload.toString());
    const parsed = topic.endsWith('/changes') ? WorkshopBoardChange.safeParse(json) : WorkshopBoard.safeParse(json);
    if (!parsed.success || parsed.data.rev <= this.rev) return;
    if (!topic.endsWith('/changes')) this.stages.clear();
    this.rev = parsed.data.rev;
    for (const o of parsed.data.orders) this.stages.set(o.no, o.stage);
    this.waiters = this.waiters.filter((w) => {
      if (this.stages.get(w.no) !== w.stage) return true;
      w.resolve(t);
      return false;
    });
  }
}



async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      boards: { type: 'string', default: '20' },
      pages: { type: 'string' },
      orders: { type: 'string', default: '100' },
      changes: { type: 'string', default: '300' },
      'gap-ms': { type: 'string', default: '100' },
    },
    strict: true,
  });
  const boards = Number(values.boards);
  const pageCount = values.pages === undefined ? boards : Number(values.pages);
  if (!Number.isInteger(pageCount) || pageCount < 0 || pageCount > boards) throw new BenchFailure('--pages must be a whole number from 0 to --boards');
  const socketCount = boards - pageCount;
  const boardsAs = socketCount === 0 ? `${boards} pages in one headless Chromium` : `${pageCount} pages in one headless Chromium + ${socketCount} MQTT-over-WebSocket clients`;
  const orders = Number(values.orders);
  const changes = Number(values.changes);
  const gapMs = Number(values['gap-ms']);
  for (const [name, n] of [['boards', boards], ['orders', orders], ['changes', changes], ['gap-ms', gapMs + 1]] as const) {
    if (!Number.isInteger(n) || n < 1) throw new BenchFailure(`--${name} must be a whole number${name === 'gap-ms' ? '' : ' above 0'}`);
  }
  const say = (line: string) => process.stdout.write(`${line}\n`);
  say(`Board benchmark: stage command → updated row in the DOM of ${boards} lounge boards (${boardsAs}), ${orders} orders on the board`);
  say(`  ${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} before the start`);

  const dataDir = mkdtempSync(resolve(tmpdir(), 'forecourt-bench-board-'));
  let browser: Browser | undefined;
  const sockets: SocketBoard[] = [];
  let gateway: ChildProcess | undefined;
  try {
    const members: Member[] = Array.from({ length: boards }, (_, i) => ({ id: `board-${i + 1}`, kind: 'board', role: 'board' }));
    const { logins } = await provisionAll(dataDir, members, STORE_ID, { useCli: false });
    const controller = await staffTokenFor(dataDir, 'workshop-controller', STORE_ID, { useCli: false });
    const loginOf = (i: number): Login => {
      const login = logins.get(`board-${i + 1}`);
      if (!login) throw new BenchFailure(`no device token for board-${i + 1}`);
      return login;
    };
    const started = await startGatewayIn(dataDir, { store: { id: STORE_ID }, workshop: { board: { layout: 'workshop' } } });
    gateway = started.child;
    const base = started.base;
    const rtts: number[] = [];
    const command = async (body: object): Promise<Record<string, unknown>> => {
      const t0 = performance.now();
      const res = await fetch(`${base}/api/workshop/commands`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${controller}` }, body: JSON.stringify(body) });
      const answer = (await res.json()) as Record<string, unknown> & { error?: { code: string; message: string } };
      rtts.push(performance.now() - t0);
      if (!res.ok) throw new BenchFailure(`gateway refused ${JSON.stringify(body)}: ${answer.error?.code} ${answer.error?.message}`);
      return answer;
    };

    // A day of orders, every one in repair, so each change toggles paused ⇄ in-repair.
    const numbers: string[] = [];
    for (let i = 0; i < orders; i++) {
      const { order } = (await command({ action: 'open', plate: `粤B·${String(10000 + i)}`, model: 'Toyota Camry', advisor: '王芳', jobs: [{ title: 'Oil service', technicians: ['张伟'] }] })) as { order: { no: string } };
      numbers.push(order.no);
      await command({ action: 'move', order: order.no, to: 'dispatched' });
      await command({ action: 'move', order: order.no, to: 'in-repair' });
    }
    rtts.length = 0;

    const launchStarted = performance.now();
    browser = await chromium
      .launch({
        executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-renderer-backgrounding', '--disable-background-timer-throttling'],
      })
      .catch((err: unknown) => {
        throw new BenchFailure(`Chromium did not start (apt-get install -y chromium fonts-noto-cjk): ${(err as Error).message}`);
      });
    const pages: Page[] = [];
    for (let i = 0; i < pageCount; i++) {
      const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
      await page.addInitScript({ content: STAGE_RECORDER });
      await page.addInitScript({ content: pairedScreenScript(await pairedScreen(base, loginOf(i).password)) });
      // Held on its first page: a board mounts only the rows on screen (about 14 at 1080p).
      await page.goto(`${base}/board/?view=workshop&pageSeconds=86400`);
      pages.push(page);
    }
    await Promise.all(pages.map((p) => p.waitForFunction(`document.querySelector('[data-testid=workshop-rows]')?.dataset.total === '${orders}' && document.querySelector('[data-testid=ws-row]') !== null`, undefined, { timeout: 30_000 })));
    // The stage changes go to orders that every page shows; without pages, to every order.
    let shown = numbers;
    for (const page of pages) {
      const onPage = new Set((await page.evaluate(`[...document.querySelectorAll('[data-testid=ws-row]')].map((e) => e.dataset.order)`)) as string[]);
      shown = shown.filter((no) => onPage.has(no));
    }
    if (shown.length === 0) throw new BenchFailure('the pages show no order in common');
    const offsets = await Promise.all(pages.map(pageClockOffset));
    for (let i = 0; i < socketCount; i++) sockets.push(await SocketBoard.open(`${base.replace('http', 'ws')}/mqtt`, STORE_ID, loginOf(pageCount + i)));
    say(`  ${boards} boards open with ${orders} orders, ${shown.length} of them on screen and changed in turn, after ${((performance.now() - launchStarted) / 1000).toFixed(1)} s; page clocks within ${Math.max(0, ...offsets.map(Math.abs)).toFixed(2)} ms of the bench's`);

    const samples: number[] = [];
    const perChangeMax: number[] = [];
    const state = new Map(shown.map((no) => [no, 'in-repair']));
    for (let i = 0; i < changes; i++) {
      const no = shown[i % shown.length] ?? '';
      const to = state.get(no) === 'in-repair' ? 'paused' : 'in-repair';
      state.set(no, to);
      const t0 = wallNow();
      const onSockets = sockets.map((board, b) =>
        Promise.race([
          board.at(no, to),
          new Promise<never>((_, reject) => setTimeout(() => reject(new BenchFailure(`socket board ${b + 1} did not get ${no} ${to} within ${BOARD_TIMEOUT_MS} ms`)), BOARD_TIMEOUT_MS)),
        ]),
      );
      await command(to === 'paused' ? { action: 'move', order: no, to, reason: 'parts' } : { action: 'move', order: no, to });
      // Asked only now: the pages keep every change with its time, and 20 questions over the
      // DevTools protocol must not delay the command they are about.
      const seen = pages.map((page, p) =>
        Promise.race([
          stageShownAt(page, no, to, t0 + (offsets[p] ?? 0) - 1),
          new Promise<never>((_, reject) => setTimeout(() => reject(new BenchFailure(`board ${p + 1} did not show ${no} ${to} within ${BOARD_TIMEOUT_MS} ms`)), BOARD_TIMEOUT_MS)),
        ]),
      );
      const times = await Promise.all(seen);
      const latencies = [...times.map((t, p) => t - (offsets[p] ?? 0) - t0), ...(await Promise.all(onSockets)).map((t) => t - t0)];
      samples.push(...latencies);
      perChangeMax.push(Math.max(...latencies));
      await new Promise((r) => setTimeout(r, gapMs));
    }

    const sorted = [...samples].sort((a, b) => a - b);
    const p50 = percentile(sorted, 50);
    const p99 = percentile(sorted, 99);
    const max = sorted.at(-1) ?? NaN;
    const slowestBoard = [...perChangeMax].sort((a, b) => a - b);
    const rtt = [...rtts].sort((a, b) => a - b);
    say(`  ${changes} stage commands over HTTP, one at a time, ${gapMs} ms apart; ${samples.length} row updates measured (every board, every change)`);
    say(`  stage command → row in the DOM: p50 ${p50.toFixed(1)} ms, p95 ${percentile(sorted, 95).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${max.toFixed(1)} ms`);
    say(`  until the last of the ${boards} boards had it: p50 ${percentile(slowestBoard, 50).toFixed(1)} ms, p99 ${percentile(slowestBoard, 99).toFixed(1)} ms`);
    say(`  command round trip (HTTP): p50 ${percentile(rtt, 50).toFixed(1)} ms, p99 ${percentile(rtt, 99).toFixed(1)} ms`);
    say(`Target stage→board p99 ≤ ${TARGET_P99_MS} ms: ${p99.toFixed(1)} ms: ${p99 <= TARGET_P99_MS ? 'met' : 'NOT MET'}`);
    if (values.json) {
      say(
        JSON.stringify({
          boards,
          orders,
          stage_to_board_p50_ms: round(p50),
          stage_to_board_p99_ms: round(p99),
          boards_as: boardsAs,
          changes,
          gap_ms: gapMs,
          stage_to_board_max_ms: round(max),
          stage_to_last_board_p99_ms: round(percentile(slowestBoard, 99)),
          command_rtt_p50_ms: round(percentile(rtt, 50)),
        }),
      );
    }
  } finally {
    await browser?.close();
    await Promise.all(sockets.map((s) => s.close()));
    if (gateway && gateway.exitCode === null) {
      const exited = new Promise((r) => gateway?.once('exit', r));
      gateway.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

runBench('bench:board', main);
