/**
 * `npm run bench:print [-- --json] [--tickets N]`
 *
 * Button to proven ticket on real serial links, at 115200 and at 9600 baud: a dispenser
 * simulator and a printer emulator each on a socat PTY pair, the gateway on the other ends. Per
 * ticket, the time from the dispenser starting to send its BUTTON frame to the gateway receiving
 * the printer's in-order answer after the ticket (GS ( H: the ticket has printed) — read from the
 * gateway's own "print job printed" log line, written when the answer is taken.
 *
 * The emulator prints like a thermal printer (4 KB buffer, 150 mm/s: 40 lines/s), and half way
 * through the run its paper runs out in the middle of a ticket and is refilled a second later;
 * that ticket's time (refill included) is reported on its own, and every ticket must come out
 * whole exactly once (its reprint marked) — `lost` and `duplicated` count those that did not.
 *
 * A PTY moves bytes instantly, so both tools pace the line themselves: the simulator holds each
 * frame back for its bytes' time at the baud rate (10 bits a byte, 8N1), and the emulator takes
 * in what it receives at the same byte rate and sends each answer byte a byte-time later.
 *
 * Overhead, per ticket: its time − the wire time − its print time, where the wire time is what
 * cannot overlap the printing (the BUTTON frame, the GS ( H request and its answer) and the print
 * time is the emulator's own time to print that ticket (tickets differ by a line or so: service
 * names, "no wait"); `overhead_p99_ms` is the p99 of those. The ticket's own bytes arrive while
 * it prints (the line carries 11.5 KB/s, the printer takes about 1.5 KB/s), so only its first
 * line's wait on the wire counts as overhead — a couple of milliseconds.
 *
 * Needs socat. Human lines first; with --json the last line is one JSON object of the figures.
 * Exit 1 when the 115200-baud overhead p99 is over 60 ms, or a ticket was lost or duplicated.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { processIdRequest } from '../adapters/printer/commands.js';
import { encodeFrame } from '../adapters/dispenser/frame.js';
import { MSG } from '../adapters/dispenser/protocol.js';
import { Gateway, loadConfig } from '../index.js';
import { DispenserSimulator } from '../tools/dispenser-simulator/dispenser-simulator.js';
import { PrinterEmulator, type PrintedPage } from '../tools/printer-emulator/printer-emulator.js';
import { percentile } from './figures.js';
import { socatPair } from './pty.js';

const TARGET_OVERHEAD_MS = 60;
const REFILL_MS = 1000;
const BUTTONS = { '1': 'maintenance', '2': 'repair', '3': 'claims', '4': 'sales', '5': 'pickup' } as const;
const BUTTON_FRAME_BYTES = encodeFrame({ version: 1, seq: 1, type: MSG.BUTTON, payload: Buffer.from([1]) }).length;
/** GS ( H with its id, and the printer's 37 22 d1 d2 d3 d4 00. */
const IN_ORDER_BYTES = processIdRequest('0000').length + 7;

interface RunResult {
  baud: number;
  /** Button → confirmed, ms, of the tickets the paper did not run out in. */
  samples: number[];
  /** Each of those minus the wire time and its own print time. */
  overheads: number[];
  /** Button → confirmed of the ticket torn by the paper end (refill and reprint included). */
  tornMs: number;
  wireMs: number;
  /** The emulator's time to print one ticket, ms: the median over the run, and the range. */
  printMs: { median: number; min: number; max: number };
  tickets: number;
  lost: number;
  duplicated: number;
}

async function until<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

const numberOf = (page: PrintedPage) => /^[A-Z]\d{3}$/m.exec(page.text)?.[0];
const whole = (page: PrintedPage) => page.ending === 'cut' && !page.continued;

async function run(baud: number, tickets: number): Promise<RunResult> {
  const dir = mkdtempSync(join(tmpdir(), 'forecourt-bench-print-'));
  const lines = [await socatPair(join(dir, 'disp-a'), join(dir, 'disp-b')), await socatPair(join(dir, 'print-a'), join(dir, 'print-b'))];
  const emulator = new PrinterEmulator({ encoding: 'gb18030' });
  await emulator.openSerial(join(dir, 'print-b'), baud);
  const { config } = loadConfig(['--http-port', '0', '--mqtt-port', '0', '--data-dir', dir], {}, dir);
  config.http.host = '127.0.0.1';
  config.mqtt.host = '127.0.0.1';
  config.devices.publicUrl = 'http://forecourt.local:8080';
  const profile = { encoding: 'gb18030', width: 80, qr: 'gs-k', confirm: 'gs-h', clearBuffer: true } as const;
  config.devices.printers.push({ id: 'bench-printer', transport: { type: 'serial', path: join(dir, 'print-a'), baudRate: baud }, profile });
  config.devices.dispensers.push({ id: 'bench-dispenser', serial: { path: join(dir, 'disp-a'), baudRate: baud }, buttons: { ...BUTTONS }, printer: 'bench-printer' });
  // The moment the gateway takes a job's in-order answer, from its own log line (written then, synchronously).
  const confirmed: { label: string; at: number }[] = [];
  const log = pino({ level: 'info' }, {
    write: (line: string) => {
      if (line.includes('"msg":"print job printed"')) confirmed.push({ label: (JSON.parse(line) as { label: string }).label, at: performance.now() });
    },
  });
  const gateway = new Gateway(config, { log });
  const sim = new DispenserSimulator({ path: join(dir, 'disp-b'), baudRate: baud, buttons: 5 });
  try {
    await gateway.start();
    let hello = false;
    sim.on('hello-ack', () => (hello = true));
    await sim.start();
    await until(() => (hello ? true : undefined), 10_000, 'dispenser hello');
    emulator.on('paper-out', () => setTimeout(() => emulator.setPaper(Infinity), REFILL_MS));
    let ticketAnswer: { result: string; number: string } | undefined;
    sim.on('ticket', (t: { result: string; number: string }) => (ticketAnswer = t));
    // The dispenser answers "unavailable" until the gateway has its printer's first in-order answer.
    for (let tries = 0; ticketAnswer?.result !== 'issued'; tries++) {
      if (tries === 100) throw new Error(`the printer did not become ready: ${ticketAnswer?.result}`);
      ticketAnswer = undefined;
      await new Promise((r) => setTimeout(r, 100));
      void sim.press(1);
      await until(() => ticketAnswer, 5000, 'an answer to a press');
    }
    const warmUp = ticketAnswer.number;
    await until(() => confirmed.find((c) => c.label === warmUp), 30_000, 'the first ticket confirmed');

    const samples: { number: string; ms: number }[] = [];
    const issued: string[] = [];
    let tornMs = NaN;
    const tornAt = Math.floor(tickets / 2);
    // The first ticket above warmed up (first SQLite statements, JIT); these are counted.
    for (let i = 0; i < tickets; i++) {
      if (i === tornAt) {
        // Half a ticket of paper left: it runs out in the middle of this one.
        const last = emulator.printed.at(-1)!;
        emulator.setPaper(last.lines / 2);
      }
      ticketAnswer = undefined;
      const seen = confirmed.length;
      const button = (i % 5) + 1;
      const start = performance.now();
      void sim.press(button);
      const answer = await until(() => ticketAnswer, 5000, `ticket ${i + 1} answer`);
      if (answer.result !== 'issued') throw new Error(`ticket ${i + 1}: ${answer.result}`);
      const done = await until(() => confirmed.slice(seen).find((c) => c.label === answer.number), 30_000, `ticket ${i + 1} confirmed`);
      issued.push(answer.number);
      if (i === tornAt) tornMs = done.at - start;
      else samples.push({ number: answer.number, ms: done.at - start });
    }
    const copies = (n: string) => emulator.printed.filter((p) => whole(p) && numberOf(p) === n).length;
    const printMsOf = new Map(emulator.printed.filter(whole).map((p) => [numberOf(p), p.printMs]));
    const printTimes = samples.map((s) => printMsOf.get(s.number) ?? NaN).sort((a, b) => a - b);
    const wireMs = ((BUTTON_FRAME_BYTES + IN_ORDER_BYTES) * 10 * 1000) / baud;
    return {
      baud,
      samples: samples.map((s) => s.ms),
      overheads: samples.map((s) => s.ms - wireMs - (printMsOf.get(s.number) ?? NaN)),
      tornMs,
      wireMs,
      printMs: { median: percentile(printTimes, 50), min: printTimes[0] ?? NaN, max: printTimes.at(-1) ?? NaN },
      tickets: issued.length,
      lost: issued.filter((n) => copies(n) === 0).length,
      duplicated: issued.filter((n) => copies(n) > 1).length,
    };
  } finally {
    await sim.stop();
    await gateway.stop();
    await emulator.close();
    for (const line of lines) line.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { json: { type: 'boolean' }, tickets: { type: 'string' } } });
  const tickets = Math.max(2, Number(values.tickets ?? 100));
  const results: RunResult[] = [];
  for (const baud of [115200, 9600]) {
    const result = await run(baud, baud === 9600 ? Math.max(2, Math.round(tickets / 5)) : tickets);
    const sorted = [...result.samples].sort((a, b) => a - b);
    const over = [...result.overheads].sort((a, b) => a - b);
    const p = (list: number[], q: number) => percentile(list, q).toFixed(1);
    console.log(
      `${baud} baud: ${result.tickets} tickets; printing one takes ${result.printMs.median.toFixed(0)} ms (${result.printMs.min.toFixed(0)}–${result.printMs.max.toFixed(0)}), ` +
        `${result.wireMs.toFixed(1)} ms more on the wire; button → confirmed p50 ${p(sorted, 50)} ms, p99 ${p(sorted, 99)} ms, max ${sorted.at(-1)?.toFixed(1)} ms; ` +
        `overhead p50 ${p(over, 50)} ms, p99 ${p(over, 99)} ms; ` +
        `the ticket the paper ran out in: ${result.tornMs.toFixed(0)} ms (refilled after ${REFILL_MS} ms, printed again whole); lost ${result.lost}, duplicated ${result.duplicated}`,
    );
    results.push(result);
  }
  const [fast, slow] = results as [RunResult, RunResult];
  const p99 = percentile([...fast.samples].sort((a, b) => a - b), 99);
  const overhead = percentile([...fast.overheads].sort((a, b) => a - b), 99);
  const lost = fast.lost + slow.lost;
  const duplicated = fast.duplicated + slow.duplicated;
  const met = overhead <= TARGET_OVERHEAD_MS && lost === 0 && duplicated === 0;
  console.log(`target: overhead p99 at 115200 baud ≤ ${TARGET_OVERHEAD_MS} ms, none lost or duplicated: ${met ? 'met' : 'MISSED'} (${overhead.toFixed(1)} ms, lost ${lost}, duplicated ${duplicated})`);
  if (values.json) {
    console.log(
      JSON.stringify({
        tickets: fast.tickets + slow.tickets,
        button_to_confirmed_p99_ms_115200: Number(p99.toFixed(1)),
        print_time_ms: Number(fast.printMs.median.toFixed(1)),
        overhead_p99_ms: Number(overhead.toFixed(1)),
        lost,
        duplicated,
      }),
    );
  }
  process.exit(met ? 0 : 1);
}

main().catch((err: unknown) => {
  console.error(`bench:print failed: ${(err as Error).message}`);
  process.exit(1);
});
