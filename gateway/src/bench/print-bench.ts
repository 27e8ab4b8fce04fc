/**
 * `npm run bench:print [-- --json] [--tickets N]`
 *
 * Button to printed ticket on real serial links, at 115200 and at 9600 baud: a dispenser
 * simulator and a printer emulator each on a socat PTY pair, the gateway on the other ends.
 * Per ticket, the time from the dispenser starting to send its BUTTON frame to the printer
 * sending the last byte of its status answer after the ticket (the gateway's proof of print).
 *
 * A PTY moves bytes instantly, so both tools pace the line themselves: the simulator holds each
 * frame back for its bytes' time at the baud rate (10 bits a byte, 8N1), and the emulator
 * consumes what it receives at the same byte rate and sends each status byte one byte-time late.
 * The gateway writes as it would to a real UART.
 *
 * Needs socat. Human lines first; with --json the last line is one JSON object of the figures.
 * Exit 1 when the 115200-baud p99 is more than 60 ms above the ticket's time on the wire.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { STATUS_PAPER, STATUS_QUERY } from '../adapters/printer/commands.js';
import { encodeFrame } from '../adapters/dispenser/frame.js';
import { MSG } from '../adapters/dispenser/protocol.js';
import { Gateway, createLogger, loadConfig } from '../index.js';
import { DispenserSimulator } from '../tools/dispenser-simulator/dispenser-simulator.js';
import { PrinterEmulator } from '../tools/printer-emulator/printer-emulator.js';
import { percentile } from './figures.js';

const TARGET_OVERHEAD_MS = 60;
const BUTTONS = { '1': 'maintenance', '2': 'repair', '3': 'claims', '4': 'sales', '5': 'pickup' } as const;
const BUTTON_FRAME_BYTES = encodeFrame({ version: 1, seq: 1, type: MSG.BUTTON, payload: Buffer.from([1]) }).length;

interface RunResult {
  baud: number;
  samples: number[];
  bytesPerTicket: number;
  wireMs: number;
}

async function socat(a: string, b: string): Promise<ChildProcess> {
  const child = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let log = '';
    child.once('error', reject);
    child.stderr?.on('data', (d: Buffer) => {
      log += d.toString();
      if (log.includes('starting data transfer loop')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`socat exited with ${code}: ${log}`)));
  });
  return child;
}

async function until<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function run(baud: number, tickets: number): Promise<RunResult> {
  const dir = mkdtempSync(join(tmpdir(), 'forecourt-bench-print-'));
  const lines = [await socat(join(dir, 'disp-a'), join(dir, 'disp-b')), await socat(join(dir, 'print-a'), join(dir, 'print-b'))];
  const emulator = new PrinterEmulator({ encoding: 'gb18030' });
  await emulator.openSerial(join(dir, 'print-b'), baud);
  const { config } = loadConfig(['--http-port', '0', '--mqtt-port', '0', '--data-dir', dir], {}, dir);
  config.http.host = '127.0.0.1';
  config.mqtt.host = '127.0.0.1';
  config.devices.publicUrl = 'http://forecourt.local:8080';
  config.devices.printers.push({ id: 'bench-printer', transport: { type: 'serial', path: join(dir, 'print-a'), baudRate: baud }, profile: { encoding: 'gb18030', width: 80, qr: 'gs-k' } });
  config.devices.dispensers.push({ id: 'bench-dispenser', serial: { path: join(dir, 'disp-a'), baudRate: baud }, buttons: { ...BUTTONS }, printer: 'bench-printer' });
  const gateway = new Gateway(config, { log: createLogger('silent', false) });
  const sim = new DispenserSimulator({ path: join(dir, 'disp-b'), baudRate: baud, buttons: 5 });
  try {
    await gateway.start();
    let hello = false;
    sim.on('hello-ack', () => (hello = true));
    await sim.start();
    await until(() => (hello ? true : undefined), 10_000, 'dispenser hello');

    let pagePrinted = false;
    let answeredAt: number | undefined;
    emulator.on('page', () => (pagePrinted = true));
    emulator.on('status', (query: number) => {
      if (query === STATUS_PAPER && pagePrinted) {
        answeredAt = performance.now();
        pagePrinted = false;
      }
    });
    let ticketAnswer: { result: string } | undefined;
    sim.on('ticket', (t: { result: string }) => (ticketAnswer = t));

    const samples: number[] = [];
    // One warm-up press (first SQLite statements, JIT), not counted.
    for (let i = -1; i < tickets; i++) {
      answeredAt = undefined;
      ticketAnswer = undefined;
      const button = (Math.max(i, 0) % 5) + 1;
      const start = performance.now();
      void sim.press(button);
      const end = await until(() => answeredAt, 20_000, `ticket ${i + 1} printed`);
      const answer = await until(() => ticketAnswer, 5000, `ticket ${i + 1} answer`);
      if (answer.result !== 'issued') throw new Error(`ticket ${i + 1}: ${answer.result}`);
      if (i >= 0) samples.push(end - start);
    }
    const printed = emulator.printed.length;
    if (printed !== tickets + 1) throw new Error(`printer printed ${printed} pages for ${tickets + 1} presses`);
    const res = await fetch(`http://127.0.0.1:${gateway.httpPort}/api/print/jobs`);
    const { jobs } = (await res.json()) as { jobs: { bytes: number; state: string }[] };
    const bytesPerTicket = Math.round(jobs.reduce((n, j) => n + j.bytes, 0) / jobs.length);
    // On the wire: the button frame, the ticket with its status query, the three status bytes.
    const wireMs = ((BUTTON_FRAME_BYTES + bytesPerTicket + STATUS_QUERY.length + 3) * 10 * 1000) / baud;
    return { baud, samples, bytesPerTicket, wireMs };
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
  const tickets = Math.max(1, Number(values.tickets ?? 100));
  const results: RunResult[] = [];
  for (const baud of [115200, 9600]) {
    const result = await run(baud, baud === 9600 ? Math.max(1, Math.round(tickets / 2)) : tickets);
    const sorted = [...result.samples].sort((a, b) => a - b);
    const p = (q: number) => percentile(sorted, q).toFixed(1);
    console.log(
      `${baud} baud: ${sorted.length} tickets of ${result.bytesPerTicket} B; on the wire ${result.wireMs.toFixed(1)} ms; ` +
        `button → printed p50 ${p(50)} ms, p99 ${p(99)} ms, max ${sorted.at(-1)?.toFixed(1)} ms ` +
        `(p99 ${(percentile(sorted, 99) - result.wireMs).toFixed(1)} ms above the wire time)`,
    );
    results.push(result);
  }
  const [fast, slow] = results as [RunResult, RunResult];
  const p99 = (r: RunResult) => percentile([...r.samples].sort((a, b) => a - b), 99);
  const overhead = p99(fast) - fast.wireMs;
  console.log(`target: p99 at 115200 baud within ${TARGET_OVERHEAD_MS} ms of the wire time: ${overhead <= TARGET_OVERHEAD_MS ? 'met' : 'MISSED'} (${overhead.toFixed(1)} ms)`);
  if (values.json) {
    console.log(
      JSON.stringify({
        tickets: fast.samples.length + slow.samples.length,
        button_to_printed_p99_ms_115200: Number(p99(fast).toFixed(1)),
        button_to_printed_p99_ms_9600: Number(p99(slow).toFixed(1)),
        bytes_per_ticket: fast.bytesPerTicket,
      }),
    );
  }
  process.exit(overhead <= TARGET_OVERHEAD_MS ? 0 : 1);
}

main().catch((err: unknown) => {
  console.error(`bench:print failed: ${(err as Error).message}`);
  process.exit(1);
});
