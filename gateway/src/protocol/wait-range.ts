import * as z from 'zod/mini';

// zod/mini, as everything the phone's status page parses (i18n.ts): its page then carries no
// classic zod, and of zod/mini only the checks these schemas use. Same parse API (`safeParse`).

/** Whole minutes around an estimated wait, its 80 % interval: what a screen shows as "about 10-15 minutes". */
export const WaitRange = z.strictObject({ low: z.int().check(z.nonnegative()), high: z.int().check(z.nonnegative()) });
export type WaitRange = z.infer<typeof WaitRange>;
