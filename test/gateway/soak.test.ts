import { expect, it } from 'vitest';
import { describeRealStack } from '../support/real-stack.js';
import { REPO_ROOT, runScript } from '../support/process.js';

const SOAK = `${REPO_ROOT}/gateway/dist/bench/soak.js`;

/** `npm run soak` at a tiny scale: two days of a few seconds each, so the whole loop runs in CI. */
describeRealStack('soak (two tiny store days)', { binaries: ['faketime'], debian: 'faketime' }, () => {
  it('runs each day on its own date in a gateway process that stops with exit 0, and reports the figures', async () => {
    const { code, out } = await runScript(SOAK, ['--days', '2', '--day-s', '4', '--settle-s', '1', '--kiosks', '1', '--issue-per-s', '4', '--workshop-per-s', '3', '--json']);
    expect(code, out).toBe(0);

    const days = [...out.matchAll(/^(\d+)\s+(\d{4}-\d{2}-\d{2})\s+(\d+)\s.*exit 0 in \d+ ms$/gm)].map((m) => ({ date: m[2] ?? '', tickets: Number(m[3]) }));
    expect(days, out).toHaveLength(2);
    const [first, second] = days;
    expect(Date.parse(second?.date ?? '') - Date.parse(first?.date ?? ''), 'the second day is the next calendar day').toBe(86_400_000);
    for (const day of days) expect(day.tickets, out).toBeGreaterThan(0);

    const figures = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as Record<string, number | null>;
    expect(Object.keys(figures)).toEqual(['days', 'rss_mb_first', 'rss_mb_last', 'rss_slope_mb_per_day', 'db_mb_per_day', 'handles_last']);
    expect(figures.days).toBe(2);
    expect(figures.rss_mb_first).toBeGreaterThan(50);
    expect(figures.handles_last).toBeGreaterThan(10);
  }, 120_000);
});
