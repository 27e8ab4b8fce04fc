import type { Language } from '@forecourt/gateway/protocol';

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

/** The sentence the lounge speaks for a call, in the store's language ("2号服务台", "desk 2"). */
export function callSentence(ticketNumber: string, deskName: string, language: Language): string {
  const ticket = spokenTicket(ticketNumber, language);
  switch (language) {
    case 'zh-Hans':
      return `请 ${ticket} 号到 ${deskName}`;
    case 'zh-Hant':
      return `請 ${ticket} 號到 ${deskName}`;
    case 'en':
      return `Ticket ${ticket}, please go to ${deskName}`;
  }
}

/** BCP 47 tags a speech voice should match for each screen language. */
export const VOICE_LANGS: Record<Language, string[]> = {
  'zh-Hans': ['zh-CN', 'cmn-CN', 'zh'],
  'zh-Hant': ['zh-TW', 'zh-HK', 'cmn-TW', 'yue-HK', 'zh'],
  en: ['en-GB', 'en-US', 'en'],
};
