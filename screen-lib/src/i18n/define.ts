import type { Language } from '@forecourt/gateway/protocol';

/**
 * One area's messages in all three languages side by side; the Chinese dictionaries must have
 * exactly the English keys, so a missing translation is a type error, not a blank on screen.
 */
export function defineMessages<const K extends string>(messages: { en: Record<K, string> } & Record<Exclude<Language, 'en'>, Record<K, string>>): Record<Language, Record<K, string>> {
  return messages;
}
