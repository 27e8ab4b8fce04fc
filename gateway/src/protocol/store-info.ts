import * as z from 'zod/mini';
import { Language, LocalizedText } from './i18n.js';
import { ID_PATTERN } from './topics.js';

// zod/mini, as everything the phone's status page parses (i18n.ts): its page then carries no
// classic zod, and of zod/mini only the checks these schemas use. Same parse API (`safeParse`).

/** Retained by the gateway: who the store is and how it speaks. */
export const StoreInfo = z.object({
  storeId: z.string().check(z.regex(ID_PATTERN)),
  name: LocalizedText,
  language: Language,
  timeZone: z.string().check(z.minLength(1)),
});
export type StoreInfo = z.infer<typeof StoreInfo>;
