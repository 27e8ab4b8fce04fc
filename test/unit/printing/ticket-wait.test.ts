import { describe, expect, it } from 'vitest';
import { EscPosDecoder } from '../../../gateway/src/adapters/printer/decoder.js';
import { ticketLayout } from '../../../gateway/src/adapters/printer/layouts.js';
import type { PrinterProfile } from '../../../gateway/src/config/devices.js';
import { TEST_TICKET } from '../../support/printing.js';

/** Every text line of the printed ticket, as the emulator's decoder reads the bytes back. */
function printedLines(profile: PrinterProfile, ticket = TEST_TICKET): string[] {
  const pages = new EscPosDecoder(profile.encoding).push(ticketLayout(profile, ticket)).flatMap((e) => (e.type === 'page' ? [e.page] : []));
  return pages.flatMap((page) => page.blocks.flatMap((b) => (b.kind === 'text' ? [b.runs.map((r) => r.text).join('')] : [])));
}

const WIDE = { ...TEST_TICKET, peopleAhead: 6, estimatedWaitMin: 14, estimatedWaitRange: { low: 9, high: 22 } };

describe('the printed ticket tells the wait as the screens do', () => {
  it('prints the 80 % interval as a range when it is wide, in the printer’s languages', () => {
    expect(printedLines({ encoding: 'gb18030', width: 80, qr: 'gs-k' }, WIDE)).toEqual(
      expect.arrayContaining(['前面还有 6 人，约 9–25 分钟', '6 ahead of you, about 9–25 min']),
    );
    expect(printedLines({ encoding: 'big5', width: 80, qr: 'gs-k' }, WIDE)).toContain('前面還有 6 人，約 9–25 分鐘');
    // An ASCII printer has no en dash: a hyphen, never a question mark.
    expect(printedLines({ encoding: 'ascii', width: 58, qr: 'gs-k' }, WIDE)).toContain('6 ahead of you, about 9-25 min');
  });

  it('prints one number when the interval is narrow, and no wait when nobody is ahead and the call is near', () => {
    expect(printedLines({ encoding: 'gb18030', width: 80, qr: 'gs-k' })).toContain('前面还有 3 人，约 12 分钟');
    const none = { ...TEST_TICKET, peopleAhead: 0, estimatedWaitMin: 0, estimatedWaitRange: { low: 0, high: 1 } };
    expect(printedLines({ encoding: 'gb18030', width: 80, qr: 'gs-k' }, none)).toEqual(expect.arrayContaining(['无需等候', 'No wait']));
    // Nobody ahead of the same service, but the desks are all busy: the wait, not "no wait".
    const busy = { ...TEST_TICKET, peopleAhead: 0, estimatedWaitMin: 4, estimatedWaitRange: { low: 1, high: 9 } };
    expect(printedLines({ encoding: 'gb18030', width: 80, qr: 'gs-k' }, busy)).toContain('前面还有 0 人，约 1–9 分钟');
  });
});
