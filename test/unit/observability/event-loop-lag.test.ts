import { expect, it } from 'vitest';
import { GatewayMetrics } from '../../../gateway/src/observability/metrics.js';

const lagOf = async (metrics: GatewayMetrics): Promise<Record<string, number>> => {
  const metric = await metrics.registry.getSingleMetric('forecourt_event_loop_lag_seconds')?.get();
  return Object.fromEntries((metric?.values ?? []).map((v) => [String(v.labels['stat']), v.value]));
};

it('reports the event loop lag since the previous scrape: a 60 ms block shows as at least 50 ms', async () => {
  const metrics = new GatewayMetrics({ connectedClients: () => 0, databaseBytes: () => 0 });
  await lagOf(metrics); // starts a fresh window
  await new Promise((r) => setTimeout(r, 30));
  const until = Date.now() + 60;
  while (Date.now() < until) {
    // the event loop is blocked, as by a long synchronous task
  }
  await new Promise((r) => setTimeout(r, 30));
  const lag = await lagOf(metrics);
  expect(Object.keys(lag).sort()).toEqual(['max', 'p50', 'p99']);
  // The sampling timer fired at least 60 ms after it was due, less its 10 ms interval.
  expect(lag['max']).toBeGreaterThanOrEqual(0.05);
  expect(lag['p50']).toBeLessThanOrEqual(lag['p99'] ?? 0);
  expect(lag['p99']).toBeLessThanOrEqual(lag['max'] ?? 0);
});
