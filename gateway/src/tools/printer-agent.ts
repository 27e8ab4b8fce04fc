#!/usr/bin/env node
/**
 * The printer agent on its own, for a printer plugged into another PC than the gateway's (a kiosk
 * PC with a USB printer): `node gateway/dist/tools/printer-agent.js --broker mqtt://GATEWAY:1883
 * --store ID --id kiosk-printer-1 --token fcd.kiosk-printer-1.… (--tcp HOST:PORT | --serial PATH
 * [--baud N]) [--encoding gb18030|big5|ascii] [--width 58|80] [--qr gs-k|raster] [--confirm gs-r|gs-h]
 * [--clear-buffer] [--buffer BYTES]`. The token comes from `npm run devices -- provision ID --kind
 * printer` (or FORECOURT_DEVICE_TOKEN); the gateway's config lists the printer with `agent: remote`
 * and the same profile.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { PrinterBusAgent } from '../adapters/printer/bus-agent.js';
import { printerLink } from '../adapters/printer/open-link.js';
import { PrinterProfile, PrinterTransportConfig } from '../config/devices.js';
import { createLogger } from '../observability/log.js';
import { DeviceId, ID_PATTERN } from '../protocol/index.js';

const Token = z.string().regex(/^fcd\.[a-z0-9][a-z0-9-]{0,31}\.[A-Za-z0-9_-]{43}$/, 'a device token fcd.ID.SECRET');

const Args = z
  .object({
    broker: z.url(),
    store: z.string().regex(ID_PATTERN),
    id: DeviceId,
    token: Token.optional(),
    tcp: z.string().regex(/^[^\s:]+:\d{1,5}$/, 'HOST:PORT').optional(),
    serial: z.string().min(1).optional(),
    baud: z.coerce.number().int().min(1200).max(921600).default(115200),
    encoding: z.enum(['gb18030', 'big5', 'ascii']).default('gb18030'),
    width: z.coerce.number().pipe(z.union([z.literal(58), z.literal(80)])).default(80),
    qr: z.enum(['gs-k', 'raster']).default('gs-k'),
    confirm: z.enum(['gs-r', 'gs-h']).optional(),
    'clear-buffer': z.boolean().default(false),
    buffer: z.coerce.number().int().min(512).max(1_048_576).optional(),
  })
  .refine((a) => (a.tcp === undefined) !== (a.serial === undefined), { message: 'give one of --tcp HOST:PORT and --serial PATH', path: ['tcp'] });

const text = { type: 'string' } as const;
const { values } = parseArgs({
  options: {
    broker: text, store: text, id: text, token: text, tcp: text, serial: text, baud: text, encoding: text, width: text, qr: text, confirm: text,
    'clear-buffer': { type: 'boolean' }, buffer: text,
  },
});
const parsed = Args.safeParse({ ...values, token: values.token ?? process.env['FORECOURT_DEVICE_TOKEN'] });
if (!parsed.success) {
  process.stderr.write(`forecourt-printer-agent: ${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}\n`);
  process.exit(2);
}
const args = parsed.data;
const transport = PrinterTransportConfig.parse(
  args.tcp
    ? { type: 'tcp', host: args.tcp.slice(0, args.tcp.lastIndexOf(':')), port: Number(args.tcp.slice(args.tcp.lastIndexOf(':') + 1)) }
    : { type: 'serial', path: args.serial, baudRate: args.baud },
);
const profile = PrinterProfile.parse({
  encoding: args.encoding,
  width: args.width,
  qr: args.qr,
  ...(args.confirm ? { confirm: args.confirm } : {}),
  ...(args['clear-buffer'] ? { clearBuffer: true } : {}),
  ...(args.buffer ? { bufferBytes: args.buffer } : {}),
});
const log = createLogger('info').child({ component: 'printer-agent' });
const token = args.token;
const agent = new PrinterBusAgent({
  url: args.broker,
  store: args.store,
  id: args.id,
  link: printerLink(transport),
  profile,
  loginFor: (id) => (token && token.split('.')[1] === id ? { username: id, password: token } : undefined),
  log,
  now: () => new Date(),
});
await agent.start();
const stop = (): void => void agent.stop().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
