import { describe, expect, it } from 'vitest';
import { callSentence, spokenTicket } from '../../board-ui/src/announce/call-text.js';

describe('spoken calls', () => {
  it('reads ticket numbers digit by digit, zero as zero', () => {
    expect(spokenTicket('A023', 'en')).toBe('A zero two three');
    expect(spokenTicket('B100', 'en')).toBe('B one zero zero');
    expect(spokenTicket('A023', 'zh-Hans')).toBe('A 零二三');
  });

  it('reads four-digit numbers and days past A999 the same way', () => {
    expect(spokenTicket('A0023', 'en')).toBe('A zero zero two three');
    expect(spokenTicket('A1000', 'en')).toBe('A one zero zero zero');
    expect(spokenTicket('B1437', 'zh-Hant')).toBe('B 一四三七');
    expect(callSentence('C0105', '3号服务台', 'zh-Hans')).toBe('请 C 零一零五 号到 3号服务台');
  });

  it('phrases the call in each language', () => {
    expect(callSentence('A023', '2號服務台', 'zh-Hant')).toBe('請 A 零二三 號到 2號服務台');
    expect(callSentence('A023', '2号服务台', 'zh-Hans')).toBe('请 A 零二三 号到 2号服务台');
    expect(callSentence('E005', 'desk 4', 'en')).toBe('Ticket E zero zero five, please go to desk 4');
  });
});
