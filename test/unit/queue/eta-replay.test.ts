import { describe, expect, it } from 'vitest';
import { ANONBANK_COLUMNS, parseAnonbank, queued } from '../../../gateway/src/bench/anonbank.js';
import { etaFigures, etaFiguresBy } from '../../../gateway/src/bench/eta-figures.js';
import { replayEta, type ScoredTicket } from '../../../gateway/src/bench/eta-replay.js';
import { exponential, seededRandom } from './fixtures.js';

const clock = (s: number) => `${Math.floor(s / 3600)}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;

/**
 * A day of a small call centre in the log's format: three agents, calls first-come first-served,
 * callers who give up when their patience runs out, a third of them with priority 2.
 */
function callCentreDay(seed: number): string[] {
  const random = seededRandom(seed);
  const free = [9 * 3600, 9 * 3600, 9 * 3600];
  const lines = [ANONBANK_COLUMNS.join('\t')];
  let t = 9 * 3600;
  for (let id = 1; t < 13 * 3600; id++) {
    t += Math.round(exponential(random, 70));
    const agent = free.indexOf(Math.min(...free));
    const wait = Math.max(0, free[agent]! - t);
    const type = random() < 0.7 ? 'PS' : 'NW';
    const priority = random() < 0.3 ? '2' : '0';
    const fields = ['AA0101', String(1000 + id), '0', priority, type, '990203', clock(t - 10), clock(t), '10'];
    const patience = Math.round(exponential(random, 240));
    if (wait > patience) {
      const gaveUp = Math.max(1, patience);
      fields.push(clock(t), clock(t + gaveUp), String(gaveUp), 'HANG', '0:00:00', '0:00:00', '0', 'NO_SERVER');
    } else {
      const service = Math.max(1, Math.round(exponential(random, 180)));
      free[agent] = t + wait + service;
      const start = t + wait;
      fields.push(wait === 0 ? '0:00:00' : clock(t), wait === 0 ? '0:00:00' : clock(start), String(wait), 'AGENT');
      fields.push(clock(start), clock(start + service), String(service), `S0${agent + 1}`);
    }
    lines.push(fields.join('\t'));
  }
  return lines;
}

describe('eta replay', () => {
  it('gives the same figures for the same trace, every time', async () => {
    const { rows, malformed } = await parseAnonbank(callCentreDay(3));
    expect(malformed).toBe(0);
    const first = replayEta(rows);
    const second = replayEta(rows);
    expect(second).toEqual(first);
    expect(etaFigures(second)).toEqual(etaFigures(first));
    // Scored: the calls that queued and were served.
    expect(first.length).toBe(rows.filter((r) => queued(r) && r.outcome === 'AGENT').length);
    expect(first.length).toBeGreaterThan(50);
    expect(first.every((t) => t.lowS <= t.estimateS && t.estimateS <= t.highS && t.baselineS > 0)).toBe(true);
  });
});

describe('eta figures', () => {
  const ticket = (realS: number, estimateS: number, lowS: number, highS: number, baselineS: number, type = 'PS'): ScoredTicket => ({
    day: '1999-02-03',
    type,
    service: 'maintenance',
    priority: 'regular',
    hour: 10,
    realS,
    estimateS,
    lowS,
    highS,
    baselineS,
  });

  it('scores error, bias, interval coverage and the baseline', () => {
    const tickets = [ticket(60, 50, 30, 90, 100), ticket(120, 150, 100, 200, 120), ticket(30, 30, 0, 20, 0, 'NW')];
    expect(etaFigures(tickets)).toEqual({
      n: 3,
      mae_s: 13.3,
      p90_abs_err_s: 30,
      bias_s: 6.7,
      interval80_coverage: 0.667,
      baseline_mae_s: 23.3,
    });
    expect(etaFiguresBy(tickets, (t) => t.type).map(([type, f]) => [type, f.n])).toEqual([
      ['NW', 1],
      ['PS', 2],
    ]);
  });
});
