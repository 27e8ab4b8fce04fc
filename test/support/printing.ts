import type { TicketPrint } from '../../gateway/src/adapters/printer/layouts.js';

/** A queue ticket to print in printing tests: the Tianhe store's A012, three people ahead. */
export const TEST_TICKET: TicketPrint = {
  storeName: { 'zh-Hans': '天河店', 'zh-Hant': '天河店', en: 'Tianhe Store' },
  number: 'A012',
  serviceName: { 'zh-Hans': '保养', 'zh-Hant': '保養', en: 'Maintenance' },
  issuedAt: new Date('2025-03-14T02:05:00Z'),
  timeZone: 'Asia/Shanghai',
  peopleAhead: 3,
  estimatedWaitMin: 12,
  estimatedWaitRange: { low: 11, high: 13 },
  statusUrl: 'http://store.local/t/6f1c1a57-8d1f-4a53-9a8e-5d7d0c6f6d11',
};
