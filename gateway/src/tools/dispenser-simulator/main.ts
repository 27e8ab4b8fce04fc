#!/usr/bin/env node
/**
 * `npm run dispenser:sim -- --port <tty> [--baud 9600] [--buttons 5] [--versions 1-1]`
 *
 * A peak-hour ticket dispenser's firmware on a serial line (see dispenser-simulator.ts). Prints
 * one JSON line per event (`open`, `close`, `hello-ack`, `ticket`, `counts`, `nak`, `pressed`).
 * Commands on stdin: `press N`, `condition ok|paper-low|paper-out|paper-jam|cover-open|button-stuck`,
 * `noise N` (N random bytes), `bad-checksum`, `truncated`, `oversized`, `quit`.
 */
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { encodeFrame } from '../../adapters/dispenser/frame.js';
import { encode } from '../../adapters/dispenser/messages.js';
import { DISPENSER_CONDITIONS, MAX_PAYLOAD, MSG } from '../../adapters/dispenser/protocol.js';
import { DispenserSimulator } from './dispenser-simulator.js';

const Args = z.object({
  port: z.string().min(1),
  baud: z.coerce.number().int().min(1200).max(921600).default(9600),
  buttons: z.coerce.number().int().min(1).max(16).default(5),
  versions: z.string().regex(/^\d+-\d+$/).default('1-1'),
});

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: 'string' }, baud: { type: 'string' }, buttons: { type: 'string' }, versions: { type: 'string' } } });
  const parsed = Args.safeParse(values);
  if (!parsed.success) {
    process.stderr.write(`dispenser-sim: ${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}\n`);
    process.exit(2);
  }
  const { port, baud, buttons, versions } = parsed.data;
  const [min = 1, max = 1] = versions.split('-').map(Number);
  const say = (event: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(event)}\n`);
  const sim = new DispenserSimulator({ path: port, baudRate: baud, buttons, versions: { min, max } });
  for (const name of ['open', 'close', 'hello-ack', 'ticket', 'counts', 'nak'] as const) {
    sim.on(name, (data?: unknown) => say({ event: name, ...(data === undefined ? {} : typeof data === 'object' && !Array.isArray(data) ? data : { data }) }));
  }
  const frame = (type: number, payload: Buffer) => encodeFrame({ version: 1, seq: 200, type, payload });
  createInterface({ input: process.stdin }).on('line', (line) => {
    const [cmd, arg = ''] = line.trim().split(/\s+/);
    switch (cmd) {
      case 'press':
        void sim.press(Number(arg)).then((acked) => say({ event: 'pressed', button: Number(arg), acked }));
        break;
      case 'condition':
        if ((DISPENSER_CONDITIONS as readonly string[]).includes(arg)) void sim.setCondition(arg as (typeof DISPENSER_CONDITIONS)[number]);
        else say({ event: 'error', message: `unknown condition ${arg}` });
        break;
      case 'noise':
        sim.sendRaw(randomBytes(Number(arg) || 64));
        break;
      case 'bad-checksum': {
        const bad = frame(MSG.BUTTON, encode.button(1));
        bad[bad.length - 2]! ^= 0xff;
        sim.sendRaw(bad);
        break;
      }
      case 'truncated':
        // As when the firmware resets mid-frame: half a frame, then a quiet line.
        sim.sendRaw(frame(MSG.BUTTON, encode.button(1)).subarray(0, 6), 300);
        break;
      case 'oversized': {
        const big = Buffer.alloc(MAX_PAYLOAD + 20, 1);
        big[0] = 0x02;
        big[4] = MAX_PAYLOAD + 10;
        sim.sendRaw(big);
        break;
      }
      case 'quit':
        void sim.stop().then(() => process.exit(0));
        return;
      default:
        say({ event: 'error', message: `unknown command ${cmd}` });
        return;
    }
  });
  const stop = () => void sim.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await sim.start();
  if (!sim.isOpen) say({ event: 'waiting', port });
}

void main();
