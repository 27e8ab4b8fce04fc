import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '@forecourt/gateway';
import { PrinterAgent, type PrinterCondition, type PrinterTiming } from '../../gateway/src/adapters/printer/agent.js';
import { ticketLayout, type TicketPrint } from '../../gateway/src/adapters/printer/layouts.js';
import type { DeviceLink } from '../../gateway/src/adapters/printer/link.js';
import { SerialLink } from '../../gateway/src/adapters/printer/serial.js';
import { TcpLink } from '../../gateway/src/adapters/printer/tcp.js';
import type { PrinterProfile } from '../../gateway/src/config/devices.js';
import { PrintQueueStore } from '../../gateway/src/store/print-queue.js';
import { EscPosDecoder } from '../../gateway/src/adapters/printer/decoder.js';
import { jobLines } from '../../gateway/src/adapters/printer/paper-length.js';
import { PrinterEmulator, type PrintedPage, type PrinterEmulatorOptions } from '../../gateway/src/tools/printer-emulator/printer-emulator.js';
import { waitFor } from '../support/process.js';
import { describeRealStack } from '../support/real-stack.js';
import { PtyPair } from '../support/serial.js';
import { TEST_TICKET } from '../support/printing.js';

// The printer agent against the printer emulator, on loopback TCP and socat PTYs: a job counts as
// printed only on its in-order answer, a job torn by a stop prints again whole, marked, and the
// bad cases (no in-order answer, garbage, a job larger than the buffer, a pulled cable, a stalled
// TCP printer) end in the stated outcome.

const EPSON_LIKE: PrinterProfile = { encoding: 'gb18030', width: 80, qr: 'gs-k', confirm: 'gs-h', clearBuffer: true };
const GENERIC: PrinterProfile = { encoding: 'gb18030', width: 80, qr: 'gs-k' };
const FAST: Partial<PrinterTiming> = { reconnectMs: 200, notReadyPollMs: 100, idlePollMs: 1000, printingPollMs: 100, answerGraceMs: 800 };
const TICKET: TicketPrint = { ...TEST_TICKET, number: 'A000', peopleAhead: 0, estimatedWaitMin: 0 };
const ticket = (number: string, profile = EPSON_LIKE) => ticketLayout(profile, { ...TICKET, number });
/** A ticket's length on paper, in lines. */
const TICKET_LINES = jobLines(ticket('A001'), 'gb18030');

/** What a piece of paper says: its ticket number, REPRINT when marked, and how it ended. */
function describePiece(p: PrintedPage): string {
  const number = /^A\d{3}$/m.exec(p.text)?.[0] ?? '-';
  const reprint = p.text.split('\n').slice(0, 2).join(' ') === '重印 REPRINT' ? ' REPRINT' : '';
  return `${number}${reprint} ${p.continued ? 'rest, ' : ''}${p.ending}`;
}

interface Harness {
  agent: PrinterAgent;
  jobs: PrintQueueStore;
  printed: string[];
  conditions: PrinterCondition[];
  logs: { msg: string }[];
  queue: (label: string, data: Uint8Array) => string;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function startAgent(link: DeviceLink, profile: PrinterProfile, timing: Partial<PrinterTiming> = FAST): Harness {
  const dir = mkdtempSync(join(tmpdir(), 'forecourt-agent-'));
  const db = openDatabase(dir);
  const jobs = new PrintQueueStore(db);
  const printed: string[] = [];
  const conditions: PrinterCondition[] = [];
  const logs: { msg: string }[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line) as { msg: string }) });
  const agent = new PrinterAgent({ id: 'p1', link, profile, jobs, now: () => new Date(), log, onCondition: (c) => conditions.push(c), onPrinted: (id) => printed.push(id), timing });
  agent.start();
  cleanups.push(async () => {
    await agent.stop();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const queue = (label: string, data: Uint8Array) => {
    const job = jobs.enqueue({ printer: 'p1', kind: 'ticket', label, data }, new Date());
    agent.wake();
    return job.id;
  };
  return { agent, jobs, printed, conditions, logs, queue };
}

async function tcpPrinter(options: Partial<PrinterEmulatorOptions> = {}, port = 0): Promise<{ emulator: PrinterEmulator; port: number }> {
  const emulator = new PrinterEmulator({ encoding: 'gb18030', ...options });
  const bound = await emulator.listenTcp(port);
  cleanups.push(() => emulator.close());
  return { emulator, port: bound };
}

const labelOf = (h: Harness, id: string) => h.jobs.summary(id)?.label;
const ready = (h: Harness) => (h.agent.ready ? true : undefined);

describe('printer agent on TCP', () => {
  it('counts a job printed on its in-order answer, not on the DLE EOT answers that come while it prints', async () => {
    const { emulator, port } = await tcpPrinter({ linesPerSecond: 15 });
    const h = startAgent(new TcpLink('127.0.0.1', port), EPSON_LIKE);
    await waitFor(() => ready(h));
    // Each thing the printer did, with how many jobs the agent had confirmed by then.
    const events: string[] = [];
    emulator.on('status', () => events.push(`status ${h.printed.length}`));
    emulator.on('page', () => events.push(`page ${h.printed.length}`));
    h.queue('A001', ticket('A001'));
    await waitFor(() => (h.printed.length === 1 ? true : undefined));
    // The printer answered real-time queries all through the ticket with "ready"; none confirmed it.
    const whilePrinting = events.slice(0, events.indexOf('page 0'));
    expect(whilePrinting.filter((e) => e === 'status 0').length).toBeGreaterThanOrEqual(3);
    expect(events).toContain('page 0');
    expect(h.jobs.summary(h.printed[0]!)).toMatchObject({ state: 'printed', attempts: 1 });
  });

  it('paper out in the middle of the 3rd of 5 tickets: 1–2 confirmed, 3–5 not; after paper-in 3 prints whole, marked, then 4 and 5, each once, in order', async () => {
    const { emulator, port } = await tcpPrinter({ paperLines: Math.round(TICKET_LINES * 2.5) });
    const h = startAgent(new TcpLink('127.0.0.1', port), EPSON_LIKE);
    await waitFor(() => ready(h));
    const ids = ['A001', 'A002', 'A003', 'A004', 'A005'].map((n) => h.queue(n, ticket(n)));
    let cleared = false;
    emulator.on('cleared', () => (cleared = true));
    await waitFor(() => (h.agent.condition.reason === 'paper-out' && cleared ? true : undefined), 15_000);
    expect(h.printed.map((id) => labelOf(h, id))).toEqual(['A001', 'A002']);
    expect(ids.map((id) => h.jobs.summary(id)?.state)).toEqual(['printed', 'printed', 'queued', 'queued', 'queued']);
    // The torn top of the 3rd ticket already shows its number: only the mark tells the reprint from it.
    expect(emulator.printed.map(describePiece)).toEqual(['A001 cut', 'A002 cut', 'A003 paper-out']);

    emulator.setPaper(Infinity);
    await waitFor(() => (h.printed.length === 5 ? true : undefined), 20_000);
    expect(h.printed.map((id) => labelOf(h, id))).toEqual(['A001', 'A002', 'A003', 'A004', 'A005']);
    // The buffer clear dropped the torn ticket's rest: its top, then the whole reprint.
    expect(emulator.printed.map(describePiece)).toEqual(['A001 cut', 'A002 cut', 'A003 paper-out', 'A003 REPRINT cut', 'A004 cut', 'A005 cut']);
    expect(ids.map((id) => h.jobs.summary(id)?.attempts)).toEqual([1, 1, 2, 1, 1]);
    await waitFor(() => (h.agent.condition.health === 'ok' ? true : undefined));
  });

  it('a model without the buffer clear prints the torn ticket’s rest when paper is back, then the reprint (GS r 1)', async () => {
    const { emulator, port } = await tcpPrinter({ paperLines: Math.round(TICKET_LINES * 1.5), processId: false, clearBuffer: false });
    const h = startAgent(new TcpLink('127.0.0.1', port), GENERIC);
    await waitFor(() => ready(h));
    for (const n of ['A001', 'A002', 'A003']) h.queue(n, ticket(n, GENERIC));
    await waitFor(() => (h.agent.condition.reason === 'paper-out' ? true : undefined), 15_000);
    expect(h.printed.map((id) => labelOf(h, id))).toEqual(['A001']);
    emulator.setPaper(Infinity);
    await waitFor(() => (h.printed.length === 3 ? true : undefined), 20_000);
    expect(h.printed.map((id) => labelOf(h, id))).toEqual(['A001', 'A002', 'A003']);
    expect(emulator.printed.map(describePiece)).toEqual(['A001 cut', 'A002 paper-out', '- rest, cut', 'A002 REPRINT cut', 'A003 cut']);
  });

  it('a printer that never answers the in-order request gets no job: offline, the job stays queued; a model that answers prints it once', async () => {
    const timing = { ...FAST, answerGraceMs: 400 };
    const mute = await tcpPrinter({ processId: false });
    const h = startAgent(new TcpLink('127.0.0.1', mute.port), EPSON_LIKE, timing);
    const id = h.queue('A001', ticket('A001'));
    const offline = () => h.logs.filter((l) => l.msg === 'printer did not answer; offline').length;
    await waitFor(() => (offline() >= 2 ? true : undefined), 15_000);
    expect(h.agent.condition).toMatchObject({ online: false, reason: 'offline' });
    expect(h.conditions.some((c) => c.online)).toBe(false);
    expect(h.jobs.summary(id)).toMatchObject({ state: 'queued', attempts: 0 });
    expect(mute.emulator.printed).toHaveLength(0);

    // The installer puts in a printer that has GS ( H.
    await mute.emulator.close();
    const { emulator } = await tcpPrinter({}, mute.port);
    await waitFor(() => (h.printed.length === 1 ? true : undefined), 15_000);
    expect(emulator.printed.map(describePiece)).toEqual(['A001 cut']);
  });

  it('garbage among the answers neither confirms a job nor loses one', async () => {
    for (const [profile, options] of [
      [EPSON_LIKE, {}],
      [GENERIC, { processId: false, clearBuffer: false }],
    ] as const) {
      const { emulator, port } = await tcpPrinter({ ...options, linesPerSecond: 15 });
      const h = startAgent(new TcpLink('127.0.0.1', port), profile);
      await waitFor(() => ready(h));
      emulator.once('status', () => emulator.sendRaw(Uint8Array.of(0xff, 0x81, 0x37, 0x22, 0x41, 0x00, 0x37, 0x99, 0x00)));
      const id = h.queue('A001', ticket('A001', profile));
      await waitFor(() => (h.printed.length === 1 ? true : undefined), 15_000);
      // Confirmed only after the page came out, and printed once.
      expect(emulator.printed.map(describePiece)).toEqual(['A001 cut']);
      expect(h.jobs.summary(id)).toMatchObject({ state: 'printed', attempts: 1 });
      expect(h.logs.some((l) => l.msg === 'printer sent bytes that answer nothing')).toBe(true);
    }
  });

  it('sends a job larger than the printer’s buffer in pieces that fit, so it never has to hold the gateway back', async () => {
    const { emulator, port } = await tcpPrinter({ bufferBytes: 1024 });
    const h = startAgent(new TcpLink('127.0.0.1', port), { ...EPSON_LIKE, bufferBytes: 1024 });
    await waitFor(() => ready(h));
    const job = Buffer.concat(['A001', 'A002', 'A003', 'A004'].map((n) => ticket(n)));
    expect(job.length).toBeGreaterThan(1024);
    const id = h.queue('test', job);
    await waitFor(() => (h.printed.length === 1 ? true : undefined), 20_000);
    expect(h.printed).toEqual([id]);
    expect(emulator.printed.map(describePiece)).toEqual(['A001 cut', 'A002 cut', 'A003 cut', 'A004 cut']);
    expect(emulator.bufferUse.highWater).toBeLessThan(1024);
  });

  it('a TCP printer that accepts the connection and then says nothing gets no job and shows offline', async () => {
    const sockets = new Set<Socket>();
    const stalled: Server = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve));
    const address = stalled.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const h = startAgent(new TcpLink('127.0.0.1', port), EPSON_LIKE, { ...FAST, answerGraceMs: 400 });
    const id = h.queue('A001', ticket('A001'));
    await waitFor(() => (h.logs.filter((l) => l.msg === 'printer did not answer; offline').length >= 2 ? true : undefined), 15_000);
    expect(h.conditions.some((c) => c.online)).toBe(false);
    expect(h.jobs.summary(id)).toMatchObject({ state: 'queued', attempts: 0 });
    sockets.forEach((s) => s.destroy());
    await new Promise<void>((resolve) => stalled.close(() => resolve()));

    const { emulator } = await tcpPrinter({}, port);
    await waitFor(() => (h.printed.length === 1 ? true : undefined), 15_000);
    expect(emulator.printed.map(describePiece)).toEqual(['A001 cut']);
  });
});

describeRealStack('printer agent on a serial line', { binaries: ['socat'], debian: 'socat' }, () => {
  async function serialPrinter(baud: number, options: Partial<PrinterEmulatorOptions> = {}): Promise<{ emulator: PrinterEmulator; line: PtyPair }> {
    const dir = mkdtempSync(join(tmpdir(), 'forecourt-agent-pty-'));
    const line = new PtyPair(dir, 'print');
    await line.start();
    cleanups.push(async () => {
      await line.kill();
      rmSync(dir, { recursive: true, force: true });
    });
    const emulator = new PrinterEmulator({ encoding: 'gb18030', ...options });
    await emulator.openSerial(line.b, baud);
    cleanups.push(() => emulator.close());
    return { emulator, line };
  }

  it('a job larger than the printer’s buffer, at 115200 baud: every byte arrives once and the pages are exactly the job’s', async () => {
    const { emulator, line } = await serialPrinter(115200, { bufferBytes: 1024 });
    const h = startAgent(new SerialLink(line.a, 115200), { ...EPSON_LIKE, bufferBytes: 1024 });
    await waitFor(() => ready(h));
    const job = Buffer.concat(['A001', 'A002', 'A003'].map((n) => ticket(n)));
    h.queue('test', job);
    await waitFor(() => (h.printed.length === 1 ? true : undefined), 20_000);
    const expected = new EscPosDecoder('gb18030').push(job).flatMap((e) => (e.type === 'page' ? [e.page.blocks] : []));
    expect(emulator.printed.map((p) => p.page.blocks)).toEqual(expected);
    expect(emulator.bufferUse.highWater).toBeLessThan(1024);
  });

  it('a cable pulled in the middle of a job: offline, the job stays queued, and after replugging it prints whole, marked, once', async () => {
    const { emulator, line } = await serialPrinter(9600);
    const h = startAgent(new SerialLink(line.a, 9600), EPSON_LIKE);
    await waitFor(() => ready(h));
    const id = h.queue('A001', ticket('A001'));
    // At 9600 baud the ticket takes most of a second on the wire: pull the cable as it starts to arrive.
    await waitFor(() => (emulator.idle ? undefined : true), 5000, 5);
    await line.kill();
    await waitFor(() => (h.agent.condition.online ? undefined : true));
    expect(h.jobs.summary(id)).toMatchObject({ state: 'queued', attempts: 1 });

    await line.start();
    await waitFor(() => (h.printed.length === 1 ? true : undefined), 20_000);
    // What had arrived printed and was torn off by the clear on reconnecting; the reprint is the only whole ticket.
    expect(emulator.printed.map((p) => p.ending)).toEqual(['cleared', 'cut']);
    expect(describePiece(emulator.printed[1]!)).toBe('A001 REPRINT cut');
    expect(h.jobs.summary(id)).toMatchObject({ state: 'printed', attempts: 2 });
  });
});
