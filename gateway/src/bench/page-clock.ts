import type { Page } from 'playwright-core';

/** This process's wall clock in ms with sub-ms precision, comparable to a page's. */
export const wallNow = (): number => performance.timeOrigin + performance.now();

/** Page clock minus this process's clock, from the round trip with the smallest delay. */
export async function pageClockOffset(page: Page): Promise<number> {
  let best = { rtt: Infinity, offset: 0 };
  for (let i = 0; i < 15; i++) {
    const t0 = wallNow();
    const pageT = await page.evaluate(() => performance.timeOrigin + performance.now());
    const t1 = wallNow();
    if (t1 - t0 < best.rtt) best = { rtt: t1 - t0, offset: pageT - (t0 + t1) / 2 };
  }
  return best.offset;
}
