#!/usr/bin/env node
/**
 * `npm run printer:emu -- [--tcp PORT] [--host H] [--serial PATH] [--baud N] [--encoding gb18030|big5|ascii]
 *                        [--width 58|80] [--buffer BYTES] [--mm-per-s N | --lines-per-s N] [--paper-lines N]
 *                        [--no-gs-h] [--no-clear] [--out DIR] [--json]`
 *
 * A receipt printer in software (see printer-emulator.ts): a 4 KB receive buffer, 150 mm/s
 * (40 lines/s), real-time DLE EOT and DLE DC4 fn=8, in-order GS r 1 and GS ( H; `--no-gs-h` and
 * `--no-clear` make it a model without those two. Prints each piece of paper's decoded text (or,
 * with --json, one JSON line per event) and writes page-N.svg / page-N.json to --out.
 * Commands on stdin: `paper N` (lines left), `paper-out`, `paper-in [N]` (a roll of N lines,
 * default endless), `cover-open`, `cover-close`, `status`, `garbage HEX…` (bytes that answer
 * nothing, sent to the host).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { renderSvg } from '../../adapters/printer/render-svg.js';
import { PrinterEmulator, type PrintedPage } from './printer-emulator.js';

const Args = z.object({
  tcp: z.coerce.number().int().min(0).max(65535).optional(),
  host: z.string().default('127.0.0.1'),
  serial: z.string().optional(),
  baud: z.coerce.number().int().min(1200).max(921600).default(115200),
  encoding: z.enum(['gb18030', 'big5', 'ascii']).default('gb18030'),
  width: z.coerce.number().pipe(z.union([z.literal(58), z.literal(80)])).default(80),
  buffer: z.coerce.number().int().min(256).max(1_048_576).default(4096),
  'mm-per-s': z.coerce.number().positive().max(1000).optional(),
  'lines-per-s': z.coerce.number().positive().max(1000).optional(),
  'paper-lines': z.coerce.number().int().min(0).optional(),
  'no-gs-h': z.boolean().default(false),
  'no-clear': z.boolean().default(false),
  out: z.string().optional(),
  json: z.boolean().default(false),
});

const ENDINGS: Record<PrintedPage['ending'], string> = { cut: 'cut', 'paper-out': 'torn off: paper out', 'cover-open': 'torn off: cover opened', cleared: 'torn off: buffer cleared' };

async function main(): Promise<void> {
  const text = { type: 'string' } as const;
  const flag = { type: 'boolean' } as const;
  const { values } = parseArgs({
    options: {
      tcp: text, host: text, serial: text, baud: text, encoding: text, width: text, buffer: text, 'mm-per-s': text, 'lines-per-s': text,
      'paper-lines': text, 'no-gs-h': flag, 'no-clear': flag, out: text, json: flag,
    },
  });
  const parsed = Args.safeParse(values);
  if (!parsed.success) {
    process.stderr.write(`printer-emu: ${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}\n`);
    process.exit(2);
  }
  const args = parsed.data;
  const say = (event: Record<string, unknown>, human: string) => process.stdout.write(args.json ? `${JSON.stringify(event)}\n` : `${human}\n`);
  const emulator = new PrinterEmulator({
    encoding: args.encoding,
    bufferBytes: args.buffer,
    ...(args['mm-per-s'] ? { mmPerSecond: args['mm-per-s'] } : {}),
    ...(args['lines-per-s'] ? { linesPerSecond: args['lines-per-s'] } : {}),
    ...(args['paper-lines'] !== undefined ? { paperLines: args['paper-lines'] } : {}),
    processId: !args['no-gs-h'],
    clearBuffer: !args['no-clear'],
  });
  if (args.out) mkdirSync(args.out, { recursive: true });
  let n = 0;
  emulator.on('page', (piece: PrintedPage) => {
    n += 1;
    if (args.out) {
      writeFileSync(join(args.out, `page-${n}.svg`), renderSvg(piece.page, args.width));
      writeFileSync(join(args.out, `page-${n}.json`), JSON.stringify(piece.page, null, 1));
    }
    const { page, text: pageText, ending, continued, lines, printMs } = piece;
    const head = `---- page ${n} (${ENDINGS[ending]}${continued ? ', the rest of a torn page' : ''}; ${lines.toFixed(1)} lines in ${Math.round(printMs)} ms) ----`;
    say({ event: 'page', n, text: pageText, ending, continued, lines, printMs, page }, `${head}\n${pageText}`);
  });
  emulator.on('paper-out', () => say({ event: 'paper-out' }, '---- paper out: printing stopped; the rest waits in the buffer ----'));
  emulator.on('cleared', () => say({ event: 'cleared' }, '---- buffer cleared (DLE DC4 fn=8) ----'));

  const tcpPort = args.tcp ?? (args.serial ? undefined : 9100);
  if (tcpPort !== undefined) {
    const port = await emulator.listenTcp(tcpPort, args.host);
    say({ event: 'listening', tcp: port }, `printer emulator on tcp://${args.host}:${port}`);
  }
  if (args.serial) {
    await emulator.openSerial(args.serial, args.baud);
    say({ event: 'listening', serial: args.serial, baud: args.baud }, `printer emulator on ${args.serial} at ${args.baud} baud`);
  }

  createInterface({ input: process.stdin }).on('line', (line) => {
    const [cmd, ...rest] = line.trim().split(/\s+/);
    if (cmd === 'paper') emulator.setPaper(Number(rest[0] ?? Infinity));
    else if (cmd === 'paper-out') emulator.setPaper(0);
    else if (cmd === 'paper-in') emulator.setPaper(rest[0] ? Number(rest[0]) : Infinity);
    else if (cmd === 'cover-open' || cmd === 'cover-close') emulator.setCover(cmd === 'cover-open');
    else if (cmd === 'garbage') emulator.sendRaw(Uint8Array.from(rest.map((h) => parseInt(h, 16) & 0xff)));
    else if (cmd !== 'status') {
      say({ event: 'error', message: `unknown command ${cmd}` }, `unknown command ${cmd}`);
      return;
    }
    say({ event: 'status', ...emulator.status, pages: emulator.printed.length }, JSON.stringify(emulator.status));
  });
  const stop = () => void emulator.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
