import * as z from 'zod/mini';

// zod/mini, as everything a screen on weak hardware parses (i18n.ts): every screen's bus reads it.

/** Retained by the gateway; `online: false` is left as the last word when it shuts down. */
export const GatewayStatus = z.object({
  online: z.boolean(),
  version: z.string(),
  startedAt: z.iso.datetime({ offset: true }),
  demo: z.boolean(),
});
export type GatewayStatus = z.infer<typeof GatewayStatus>;
