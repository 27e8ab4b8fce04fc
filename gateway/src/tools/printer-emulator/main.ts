#!/usr/bin/env node
/**
 * `npm run printer:emu -- [--tcp PORT] [--host H] [--serial PATH] [--baud N] [--encoding gb18030|big5|ascii]
 *                        [--width 58|80] [--paper PAGES] [--out DIR] [--json]`
 *
 * A receipt printer in software (see printer-emulator.ts). Prints each page's decoded text (or,
 * with --json, one JSON line per event) and writes page-N.svg / page-N.json to --out.
 * Commands on stdin: `paper N` (pages left), `paper-out`, `paper-in`, `cover-open`, `cover-close`, `status`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { renderSvg } from '../../adapters/printer/render-svg.js';
import { PrinterEmulator } from './printer-emulator.js';

const Args = z.object({
  tcp: z.coerce.number().int().min(0).max(65535).optional(),
  host: z.string().default('127.0.0.1'),
  serial: z.string().optional(),
  baud: z.coerce.number().int().min(1200).max(921600).default(115200),
  encoding: z.enum(['gb18030', 'big5', 'ascii']).default('gb18030'),
  width: z.coerce.number().pipe(z.union([z.literal(58), z.literal(80)])).default(80),
  paper: z.coerce.number().int().min(0).optional(),
  out: z.string().optional(),
  json: z.boolean().default(false),
});

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      tcp: { type: 'string' }, host: { type: 'string' }, serial: { type: 'string' }, baud: { type: 'string' },
      encoding: { type: 'string' }, width: { type: 'string' }, paper: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' },
    },
  });
  const parsed = Args.safeParse(values);
  if (!parsed.success) {
    process.stderr.write(`printer-emu: ${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}\n`);
    process.exit(2);
  }
  const args = parsed.data;
  const say = (event: Record<string, unknown>, human: string) => process.stdout.write(args.json ? `${JSON.stringify(event)}\n` : `${human}\n`);
  const emulator = new PrinterEmulator({ encoding: args.encoding, ...(args.paper !== undefined ? { paperPages: args.paper } : {}) });
  if (args.out) mkdirSync(args.out, { recursive: true });
  let n = 0;
  emulator.on('page', ({ page, text }) => {
    n += 1;
    if (args.out) {
      writeFileSync(join(args.out, `page-${n}.svg`), renderSvg(page, args.width));
      writeFileSync(join(args.out, `page-${n}.json`), JSON.stringify(page, null, 1));
    }
    say({ event: 'page', n, text, page }, `---- page ${n} (${page.cut} cut, ${page.encoding}) ----\n${text}`);
  });
  emulator.on('discarded', () => say({ event: 'discarded' }, '---- page lost: no paper / cover open ----'));

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
    const [cmd, arg] = line.trim().split(/\s+/);
    if (cmd === 'paper') emulator.setPaper(Number(arg ?? Infinity));
    else if (cmd === 'paper-out') emulator.setPaper(0);
    else if (cmd === 'paper-in') emulator.setPaper(Infinity);
    else if (cmd === 'cover-open' || cmd === 'cover-close') emulator.setCover(cmd === 'cover-open');
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
