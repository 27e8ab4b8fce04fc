import type { Language, LocalizedText } from './i18n.js';
import type { WaitRange } from './queue.js';

// How every screen and printed ticket words an estimated wait: one rule, so the kiosk, the
// ticket, the phone, the desk and the board never disagree about the same figures.

/** The figures every queue payload carries: the median and its 80 % interval, whole minutes. */
export interface WaitFigures {
  estimatedWaitMin: number;
  estimatedWaitRange: WaitRange;
}

export type WaitPhrase =
  | { kind: 'soon' }
  | { kind: 'about'; min: number }
  | { kind: 'range'; low: number; high: number }
  | { kind: 'within'; high: number };

/** Rounding step: minutes under 20 as they are, then fives, then tens: "about 35–50", not "about 33–48". */
function step(minutes: number): number {
  return minutes < 20 ? 1 : minutes < 60 ? 5 : 10;
}

const down = (m: number) => Math.floor(m / step(m)) * step(m);
const up = (m: number) => Math.ceil(m / step(m)) * step(m);
const nearest = (m: number) => Math.round(m / step(m)) * step(m);

/**
 * Soon when even the long end of the interval is a minute away; one number when the interval is
 * narrow (at most 2 minutes or a quarter of the median wide); else the interval, as "within N"
 * when its short end is no wait at all. A single number for a wide interval would promise more
 * than the queue knows.
 */
export function waitPhrase({ estimatedWaitMin, estimatedWaitRange }: WaitFigures): WaitPhrase {
  const low = Math.min(estimatedWaitRange.low, estimatedWaitMin);
  const high = Math.max(estimatedWaitRange.high, estimatedWaitMin);
  if (high <= 1) return { kind: 'soon' };
  if (high - low <= Math.max(2, 0.25 * estimatedWaitMin)) {
    const min = nearest(estimatedWaitMin);
    return min < 1 ? { kind: 'within', high: up(high) } : { kind: 'about', min };
  }
  return down(low) === 0 ? { kind: 'within', high: up(high) } : { kind: 'range', low: down(low), high: up(high) };
}

const WORDS: Record<WaitPhrase['kind'], LocalizedText> = {
  soon: { 'zh-Hans': '即将叫号', 'zh-Hant': '即將叫號', en: 'soon' },
  about: { 'zh-Hans': '约 {min} 分钟', 'zh-Hant': '約 {min} 分鐘', en: 'about {min} min' },
  range: { 'zh-Hans': '约 {low}–{high} 分钟', 'zh-Hant': '約 {low}–{high} 分鐘', en: 'about {low}–{high} min' },
  within: { 'zh-Hans': '{high} 分钟内', 'zh-Hant': '{high} 分鐘內', en: 'within {high} min' },
};

/** "约 10–15 分钟" / "約 10–15 分鐘" / "about 10–15 min", "约 12 分钟", "即将叫号", "5 分钟内". */
export function waitText(figures: WaitFigures, language: Language): string {
  const phrase = waitPhrase(figures);
  return WORDS[phrase.kind][language].replace(/\{(\w+)\}/g, (_, key: string) => String((phrase as Record<string, unknown>)[key]));
}
