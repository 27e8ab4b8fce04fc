#!/usr/bin/env node
/**
 * The dispenser agent on its own, for a dispenser plugged into another PC than the gateway's:
 * `node gateway/dist/tools/dispenser-agent.js --broker mqtt://GATEWAY:1883 --store ID --id
 * dispenser-1 --token fcd.dispenser-1.… --serial /dev/ttyUSB0 [--baud 9600]`. The token comes
 * from `npm run devices -- provision ID --kind dispenser` (or FORECOURT_DEVICE_TOKEN); the
 * gateway's config lists the dispenser with `agent: remote`, its buttons and its printer.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { DispenserBusAgent } from '../adapters/dispenser/bus-agent.js';
import { SerialLink } from '../adapters/printer/serial.js';
import { createLogger } from '../observability/log.js';
import { DeviceId, ID_PATTERN } from '../protocol/index.js';

const Args = z.object({
  broker: z.url(),
  store: z.string().regex(ID_PATTERN),
  id: DeviceId,
  token: z.string().regex(/^fcd\.[a-z0-9][a-z0-9-]{0,31}\.[A-Za-z0-9_-]{43}$/, 'a device token fcd.ID.SECRET').optional(),
  serial: z.string().min(1),
  baud: z.coerce.number().int().min(1200).max(921600).default(9600),
});

const text = { type: 'string' } as const;
const { values } = parseArgs({ options: { broker: text, store: text, id: text, token: text, serial: text, baud: text } });
const parsed = Args.safeParse({ ...values, token: values.token ?? process.env['FORECOURT_DEVICE_TOKEN'] });
if (!parsed.success) {
  process.stderr.write(`forecourt-dispenser-agent: ${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}\n`);
  process.exit(2);
}
const args = parsed.data;
const token = args.token;
const agent = new DispenserBusAgent({
  url: args.broker,
  store: args.store,
  id: args.id,
  link: new SerialLink(args.serial, args.baud),
  loginFor: (id) => (token && token.split('.')[1] === id ? { username: id, password: token } : undefined),
  log: createLogger('info').child({ component: 'dispenser-agent' }),
  now: () => new Date(),
});
await agent.start();
const stop = (): void => void agent.stop().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
