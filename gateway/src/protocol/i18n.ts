import * as z from 'zod/mini';

// zod/mini (tree-shakable functions, same parse API): the phone's status page carries these
// schemas and only the checks they use (see workshop-public.ts, `PublicStatus`).

/** The languages every screen and printout supports. */
export const LANGUAGES = ['zh-Hans', 'zh-Hant', 'en'] as const;
export const Language = z.enum(LANGUAGES);
export type Language = z.infer<typeof Language>;

/** A text in each of the store's languages (service names, store name). */
export const LocalizedText = z.object({
  'zh-Hans': z.string().check(z.minLength(1), z.maxLength(200)),
  'zh-Hant': z.string().check(z.minLength(1), z.maxLength(200)),
  en: z.string().check(z.minLength(1), z.maxLength(200)),
});
export type LocalizedText = z.infer<typeof LocalizedText>;
