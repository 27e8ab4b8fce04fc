import { z } from 'zod';

/** The languages every screen and printout supports. */
export const LANGUAGES = ['zh-Hans', 'zh-Hant', 'en'] as const;
export const Language = z.enum(LANGUAGES);
export type Language = z.infer<typeof Language>;

/** A text in each of the store's languages (service names, store name). */
export const LocalizedText = z.object({
  'zh-Hans': z.string().min(1).max(200),
  'zh-Hant': z.string().min(1).max(200),
  en: z.string().min(1).max(200),
});
export type LocalizedText = z.infer<typeof LocalizedText>;
