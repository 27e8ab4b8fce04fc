import { z } from 'zod';
import { ID_PATTERN } from './topics.js';
import { Language, LocalizedText } from './i18n.js';

const Timestamp = z.iso.datetime({ offset: true });
export const DeviceId = z.string().regex(ID_PATTERN, 'lower-case letters, digits and dashes, max 32');

/** Retained by the gateway; `online: false` is left as the last word when it shuts down. */
export const GatewayStatus = z.object({
  online: z.boolean(),
  version: z.string(),
  startedAt: Timestamp,
  demo: z.boolean(),
});
export type GatewayStatus = z.infer<typeof GatewayStatus>;

/** Retained by the gateway: who the store is and how it speaks. */
export const StoreInfo = z.object({
  storeId: z.string().regex(ID_PATTERN),
  name: LocalizedText,
  language: Language,
  timeZone: z.string().min(1),
});
export type StoreInfo = z.infer<typeof StoreInfo>;

export const DEVICE_KINDS = ['nfc-reader', 'dispenser', 'printer', 'kiosk', 'board', 'desk', 'bay', 'barcode-scanner'] as const;
export const DeviceKind = z.enum(DEVICE_KINDS);
export type DeviceKind = z.infer<typeof DeviceKind>;

/** Retained by each device (and set to offline by its MQTT will). */
export const DeviceState = z.object({
  kind: DeviceKind,
  online: z.boolean(),
  health: z.enum(['ok', 'warning', 'error']),
  /** A short machine-readable reason such as `paper-low`, `reader-unplugged`. */
  reason: z.string().regex(/^[a-z0-9-]{1,40}$/).optional(),
  at: Timestamp,
});
export type DeviceState = z.infer<typeof DeviceState>;

/** Sent by a device every few seconds; not retained. */
export const DeviceHeartbeat = z.object({
  at: Timestamp,
  uptimeS: z.number().int().nonnegative(),
});
export type DeviceHeartbeat = z.infer<typeof DeviceHeartbeat>;
