import { z } from 'zod';
import { DeviceKind } from './device-id.js';

// Store info, device names and the gateway's status are their own modules (zod/mini, read by the screens).
export { StoreInfo } from './store-info.js';
export { DEVICE_KINDS, DeviceId, DeviceKind } from './device-id.js';
export { GatewayStatus } from './gateway-status.js';

const Timestamp = z.iso.datetime({ offset: true });

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
