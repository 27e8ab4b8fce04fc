import { expect, it } from 'vitest';
import { describeRealStack } from '../support/real-stack.js';
import { REPO_ROOT, runScript } from '../support/process.js';

const BENCH = `${REPO_ROOT}/gateway/dist/bench/board-bench.js`;

/**
 * `npm run bench:board` at a tiny scale: one board as an enrolled page in Chromium and one as an
 * MQTT-over-WebSocket client with its own device token, more orders than a board shows at once,
 * and stage commands with a workshop controller's token; every figure in the last line.
 */
describeRealStack('bench:board (two boards, four changes)', { binaries: ['chromium'], debian: 'chromium fonts-noto-cjk' }, () => {
  it('signs its boards and commands in, sees every change on every board and reports the figures', async () => {
    const { code, out } = await runScript(BENCH, ['--json', '--boards', '2', '--pages', '1', '--orders', '30', '--changes', '4', '--gap-ms', '20']);
    expect(code, out).toBe(0);

    const onScreen = Number(/30 orders, (\d+) of them on screen/.exec(out)?.[1]);
    expect(onScreen, out).toBeGreaterThan(0);
    const figures = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
    expect(figures).toMatchObject({ boards: 2, orders: 30, changes: 4, gap_ms: 20 });
    for (const name of ['stage_to_board_p50_ms', 'stage_to_board_p99_ms', 'stage_to_board_max_ms', 'stage_to_last_board_p99_ms', 'command_rtt_p50_ms']) {
      expect(figures[name], `${name}\n${out}`).toEqual(expect.any(Number));
    }
  }, 60_000);
});
