import type { Language } from '@forecourt/gateway/protocol';

/**
 * What every screen that talks says the same way (the lounge board's calls, the kiosk's spoken
 * guidance): which voices suit a language, how a ticket number is read. No DOM here, so the
 * unit tests and the gateway's types can use it; speech.ts does the speaking.
 */

/** BCP 47 tags a speech voice should match for each screen language, best first. */
export const VOICE_LANGS: Record<Language, string[]> = {
  'zh-Hans': ['zh-CN', 'cmn-CN', 'zh'],
  'zh-Hant': ['zh-TW', 'zh-HK', 'cmn-TW', 'yue-HK', 'zh'],
  en: ['en-GB', 'en-US', 'en'],
};

const ZH_DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
const EN_DIGITS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

/**
 * Ticket numbers are read digit by digit ("A zero two three", "A 零二三"), never as a quantity
 * ("twenty-three") and never "O-O-three": a customer matches what they hear to their paper.
 */
export function spokenTicket(number: string, language: Language): string {
  const digits = language === 'en' ? EN_DIGITS : ZH_DIGITS;
  const [letter, ...rest] = number.split('');
  const spoken = rest.map((c) => digits[Number(c)] ?? c);
  return language === 'en' ? [letter, ...spoken].join(' ') : `${letter} ${spoken.join('')}`;
}
