#!/usr/bin/env node
/**
 * Device credentials, against the gateway's data directory:
 *   npm run devices -- provision ID --kind nfc-reader|dispenser|printer|barcode-scanner [--station S] [--name N]
 *   npm run devices -- list
 *   npm run devices -- revoke ID
 * `provision` prints the device's connection sheet once (only the token's hash is stored). A
 * revocation here refuses the device's next connection and request; revoking from the desk's
 * Devices panel also closes its open connections at once.
 */
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { DeviceId, DeviceKind } from '../protocol/index.js';
import { CONSOLE, fail, openIdentity, splitArgs } from './cli-identity.js';

const USAGE = 'usage: npm run devices -- provision ID --kind KIND [--station S] [--name N] | list | revoke ID   [--data-dir D] [--config F]';

const { gateway, own } = splitArgs(process.argv.slice(2));
const { values, positionals } = parseArgs({
  args: own,
  allowPositionals: true,
  options: { kind: { type: 'string' }, station: { type: 'string' }, name: { type: 'string' } },
});
const [command, id] = positionals;
const { identity, db } = openIdentity(gateway);

try {
  switch (command) {
    case 'provision': {
      const deviceId = DeviceId.safeParse(id);
      if (!deviceId.success) fail(`device id: ${deviceId.error.issues[0]?.message}\n${USAGE}`);
      const kind = DeviceKind.safeParse(values.kind);
      if (!kind.success) fail(`--kind: one of ${DeviceKind.options.join(', ')}\n${USAGE}`);
      const token = identity.provisionDevice({ id: deviceId.data, kind: kind.data, name: values.name, station: values.station }, CONSOLE);
      process.stdout.write(
        [
          `Connection sheet for ${deviceId.data} (${kind.data}) — shown once, keep it with the device:`,
          `  broker     mqtt://${hostname()}:1883   (the gateway's MQTT port; mqtts://…:8883 with TLS)`,
          `  client id  ${deviceId.data}`,
          `  username   ${deviceId.data}`,
          `  password   ${token}`,
          `  topics     forecourt/v1/{store}/device/${deviceId.data}/…  (firmware-config/ACCESS.md)`,
          '',
        ].join('\n'),
      );
      break;
    }
    case 'list':
      for (const d of identity.listDevices()) {
        process.stdout.write(`${d.id}\t${d.kind}\t${d.name}\t${d.station ?? '-'}\tlast seen ${d.lastSeenAt ?? '-'}${d.revokedAt ? `\trevoked ${d.revokedAt}` : ''}\n`);
      }
      break;
    case 'revoke':
      if (!id) fail(USAGE);
      if (!identity.revokeDevice(id, CONSOLE)?.revokedAt) fail(`no device ${id}`);
      process.stdout.write(`device ${id} revoked\n`);
      break;
    default:
      fail(USAGE);
  }
} finally {
  db.close();
}
