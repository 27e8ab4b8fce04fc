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

/**
 * Installed in a board page before its scripts (as source: the gateway is compiled without the
 * DOM's types): records every data-stage change of a row with its wall time, and answers
 * `window.benchStage(no, stage, since)` with the first time that row showed that stage after `since`.
 */
export const STAGE_RECORDER = `(() => {
  const records = [];
  const waiters = [];
  // The document itself: the script runs before there is a body.
  new MutationObserver((mutations) => {
    const t = performance.timeOrigin + performance.now();
    for (const m of mutations) {
      const no = m.target.dataset.order;
      const stage = m.target.dataset.stage;
      if (!no || !stage) continue;
      records.push({ no, stage, t });
      for (const w of waiters.filter((w) => w.no === no && w.stage === stage && t >= w.since)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(t);
      }
    }
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-stage'] });
  window.benchStage = (no, stage, since) => new Promise((resolve) => {
    const seen = records.find((r) => r.no === no && r.stage === stage && r.t >= since);
    if (seen) resolve(seen.t);
    else waiters.push({ no, stage, since, resolve });
  });
})();`;

/** `window.benchStage` of STAGE_RECORDER, evaluated in the page: when row `no` showed `stage` (page wall time). */
export function stageShownAt(page: Page, no: string, stage: string, since: number): Promise<number> {
  return page.evaluate(({ no, stage, since }) => (globalThis as unknown as { benchStage: (n: string, s: string, t: number) => Promise<number> }).benchStage(no, stage, since), { no, stage, since });
}
