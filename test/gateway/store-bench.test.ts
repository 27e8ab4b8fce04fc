import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { ANONBANK_COLUMNS } from '../../gateway/src/bench/anonbank.js';
import { describeRealStack } from '../support/real-stack.js';
import { REPO_ROOT, runScript } from '../support/process.js';

const BENCH = `${REPO_ROOT}/gateway/dist/bench/store-bench.js`;

const clock = (s: number) => `${Math.floor(s / 3600)}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;

/** A made-up log in the Anonymous Bank's format: a contact every 4 s from 10:00, a third of them hanging up. */
function tinyTrace(dir: string): string {
  const rows = Array.from({ length: 30 }, (_, i) => {
    const at = 10 * 3600 + i * 4;
    const hang = i % 3 === 2;
    const type = ['PS', 'IN', 'NW', 'TT', 'NE'][i % 5] ?? 'PS';
    return [`AA0101`, String(50_000 + i), '0', '0', type, '990201', clock(at - 10), clock(at), '10', clock(at), clock(at + 6), '6', hang ? 'HANG' : 'AGENT', clock(at + 6), clock(at + 46), hang ? '0' : '40', hang ? 'NO_SERVER' : 'S01'].join('\t');
  });
  const file = join(dir, 'tiny.tsv');
  writeFileSync(file, [ANONBANK_COLUMNS.join('\t'), ...rows].join('\n'));
  return file;
}

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/**
 * `npm run bench:store` at a tiny scale (12 s of load): every device kind on its stack and every
 * figure in the last line. Without card readers: pcscd is one per machine, and the test files
 * that start their own must not find one running.
 */
describeRealStack('bench:store (12 s of load)', { binaries: ['socat'], debian: 'socat' }, () => {
  it('plays the store against the gateway process and reports every figure', async () => {
    dir = mkdtempSync(join(tmpdir(), 'forecourt-store-bench-test-'));
    const { code, out } = await runScript(BENCH, ['--json', '--minutes', '0.2', '--members', '500', '--no-readers', '--trace', tinyTrace(dir)]);
    expect(code, out).toBe(0);

    const figures = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as Record<string, number | null>;
    const required = ['tickets', 'call_to_board_p99_ms', 'stage_to_board_p99_ms', 'button_to_confirmed_p99_ms', 'tap_to_session_p99_ms', 'gateway_cpu_pct', 'gateway_rss_mb', 'event_loop_lag_p99_ms'];
    expect(Object.keys(figures).slice(0, required.length)).toEqual(required);
    expect(figures['tickets'], out).toBeGreaterThan(0);
    for (const name of required.filter((n) => n !== 'tap_to_session_p99_ms')) expect(figures[name], `${name}\n${out}`).toEqual(expect.any(Number));
    expect(figures['tap_to_session_p99_ms'], 'no readers: no tap figure').toBeNull();
    // A dispenser ticket takes at least its print time (a 32-line ticket at 40 lines/s).
    expect(figures['button_to_confirmed_p99_ms']).toBeGreaterThan(500);
    // The disk probe ran beside the load and timed fsyncs of its own.
    expect(figures['disk_fsync_p99_ms'], out).toBeGreaterThan(0);
    for (const budget of [25, 60, 150]) expect(figures[`disk_time_over_${budget}ms_pct`], out).toBeGreaterThanOrEqual(0);
    expect(out).toMatch(/the disk on its own \(bench:disk alongside, \d+ fsyncs\)/);
    expect(out).toMatch(/NO CARD READERS: left out/);
  }, 90_000);
});
