import { hostname } from 'node:os';
import type { Config } from './schema.js';

/** The gateway's address on the store network, the base of every printed QR code's link. */
export function publicBaseUrl(config: Config): string {
  const base = config.devices.publicUrl ?? `http://${hostname()}${config.http.port === 80 ? '' : `:${config.http.port}`}`;
  return base.replace(/\/$/, '');
}
