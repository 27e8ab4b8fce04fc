import type { Language } from '@forecourt/gateway/protocol';
import { spokenTicket } from '@forecourt/screen-lib/spoken.js';

// Voices and digit-by-digit ticket numbers live in the shared speech module (the kiosk speaks too).
export { spokenTicket, VOICE_LANGS } from '@forecourt/screen-lib/spoken.js';

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
