import * as z from 'zod/mini';
import { DeviceId, DeviceKind } from '../device-id.js';

// zod/mini, as everything the phone's status page parses (../i18n.ts): its page then carries no
// classic zod, and of zod/mini only the checks these schemas use. Same parse API (`safeParse`).

/** An enrolled device (screen, printer agent, reader …), as HTTP and the broker see it. */
export const DevicePrincipal = z.object({
  kind: z.literal('device'),
  id: DeviceId,
  deviceKind: DeviceKind,
  name: z.string(),
  /** Where it stands: the kiosk id of a kiosk, the desk of a desk PC, the bay of a bay screen. */
  station: z.optional(z.string()),
});
export type DevicePrincipal = z.infer<typeof DevicePrincipal>;
