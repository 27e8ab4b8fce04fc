#!/usr/bin/env node
/**
 * The reader agent on its own, for NFC readers plugged into another PC than the gateway's (e.g.
 * the kiosk's): `node gateway/dist/tools/nfc-agent.js --broker mqtt://GATEWAY:1883 --store ID
 * --reader kiosk-reader-1="ACS ACR122U PICC Interface 00 00" --token fcd.kiosk-reader-1.…` (repeat
 * --reader and --token; each token from `npm run devices -- provision ID --kind nfc-reader`). The
 * gateway's config lists the same readers with `agent: remote`.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ReaderAgent } from '../adapters/nfc/reader-agent.js';
import { createLogger } from '../observability/log.js';
import { DeviceId, ID_PATTERN } from '../protocol/index.js';

const Args = z.object({
  broker: z.url(),
  store: z.string().regex(ID_PATTERN),
  reader: z.array(z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}=.+$/, 'id="PC/SC reader name"')).min(1),
  debounce: z.coerce.number().int().min(0).default(1500),
  token: z.array(z.string().regex(/^fcd\.[a-z0-9][a-z0-9-]{0,31}\.[A-Za-z0-9_-]{43}$/, 'a device token fcd.ID.SECRET')).default([]),
});

const { values } = parseArgs({
  options: { broker: { type: 'string' }, store: { type: 'string' }, reader: { type: 'string', multiple: true }, debounce: { type: 'string' }, token: { type: 'string', multiple: true } },
});
const parsed = Args.safeParse(values);
if (!parsed.success) {
  process.stderr.write(`forecourt-nfc-agent: ${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}\n`);
  process.exit(2);
}
const log = createLogger('info');
const agent = new ReaderAgent({
  url: parsed.data.broker,
  store: parsed.data.store,
  readers: parsed.data.reader.map((r) => {
    const at = r.indexOf('=');
    return { id: DeviceId.parse(r.slice(0, at)), pcscName: r.slice(at + 1) };
  }),
  debounceMs: parsed.data.debounce,
  loginFor: (id) => {
    const token = parsed.data.token.find((t) => t.split('.')[1] === id);
    return token ? { username: id, password: token } : undefined;
  },
  log,
  now: () => new Date(),
});
await agent.start();
const stop = (): void => void agent.stop().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
