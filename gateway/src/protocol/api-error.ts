import * as z from 'zod/mini';

// zod/mini, as everything the phone's status page parses (i18n.ts): its page then carries no
// classic zod, and of zod/mini only the checks these schemas use. Same parse API (`safeParse`).

/** Every refusal of the HTTP API: a stable code for screens to translate, a message for logs. */
export const ApiError = z.object({ error: z.object({ code: z.string(), message: z.optional(z.string()) }) });
