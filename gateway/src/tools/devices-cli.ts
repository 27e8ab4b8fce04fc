#!/usr/bin/env node
/**
 * Device credentials, against the gateway's data directory:
 *   npm run devices -- provision ID --kind nfc-reader|dispenser|printer|barcode-scanner [--station S] [--name N]
 *   npm run devices -- list
 *   npm run devices -- revoke ID
 *   npm run devices -- cert [--host NAME]… [--ip ADDR]… [--force]
 * `provision` prints the device's connection sheet once (only the token's hash is stored). A
 * revocation here refuses the device's next connection and request; revoking from the desk's
 * Devices panel also closes its open connections at once. `cert` makes a store CA and a server
 * certificate with openssl in `{dataDir}/tls/` for a store without certificates of its own.
 */
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { makeStoreCertificates } from './store-certificates.js';
import { parseArgs } from 'node:util';
import { DeviceId, DeviceKind } from '../protocol/index.js';
import { CONSOLE, fail, openIdentity, splitArgs } from './cli-identity.js';

const USAGE = 'usage: npm run devices -- provision ID --kind KIND [--station S] [--name N] | list | revoke ID | cert [--host NAME]… [--ip ADDR]… [--force]   [--data-dir D] [--config F]';

const { gateway, own } = splitArgs(process.argv.slice(2));
const { values, positionals } = parseArgs({
  args: own,
  allowPositionals: true,
  options: {
    kind: { type: 'string' },
    station: { type: 'string' },
    name: { type: 'string' },
    host: { type: 'string', multiple: true },
    ip: { type: 'string', multiple: true },
    force: { type: 'boolean' },
  },
});
const [command, id] = positionals;
const { identity, db, config } = openIdentity(gateway);

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
          ...(config.tls
            ? [`  broker     mqtts://${hostname()}:${config.tls.mqttPort}`, `  trust      ${config.tls.ca ?? config.tls.cert}   (the store CA: install it on the device)`]
            : [`  broker     mqtt://${hostname()}:${config.mqtt.port}`]),
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
    case 'cert': {
      const dir = join(config.dataDir, 'tls');
      if (existsSync(join(dir, 'server.crt')) && !values.force) fail(`${dir} already has a certificate (--force makes new ones; devices must then trust the new CA)`);
      const files = makeStoreCertificates(dir, config.store.id, values.host ?? [hostname(), 'localhost'], values.ip ?? ['127.0.0.1']);
      process.stdout.write(
        [
          `Store CA and server certificate written to ${dir}`,
          `  CA certificate (install on devices and screens): ${files.ca}`,
          'Add to forecourt.config.yaml and restart the gateway:',
          `  tls: { cert: ${files.cert}, key: ${files.key}, ca: ${files.ca}, mqttPort: 8883 }`,
          '',
        ].join('\n'),
      );
      break;
    }
    default:
      fail(USAGE);
  }
} finally {
  db.close();
}
