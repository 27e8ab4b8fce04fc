import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { businessDay } from '../../gateway/src/domain/queue/business-day.js';
import { QueueStatsAnswer } from '../../gateway/src/protocol/stats.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { bearer, staffToken } from '../support/identities.js';
import { command } from '../support/queue-api.js';

// The manager's statistics over HTTP on a real gateway: today read live from the queue events,
// the CSV download, who may read them, and a bad query refused.
describe('statistics over HTTP', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(async () => {
    await gw.dispose();
  });

  const today = () => businessDay(new Date(), gw.config.store.timeZone, gw.config.queue.dayStartHour);
  const get = (path: string, as: Record<string, string>) => fetch(`${gw.httpUrl}${path}`, { headers: as });

  it("counts today's tickets per service as they are issued, called and finished", async () => {
    const desk = bearer(staffToken(gw.gateway, 'receptionist', 'stats desk'));
    const first = await command(gw.httpUrl, { action: 'issue', service: 'maintenance' }, desk);
    await command(gw.httpUrl, { action: 'issue', service: 'maintenance' }, desk);
    await command(gw.httpUrl, { action: 'issue', service: 'sales' }, desk);
    const firstId = first.body.event?.ticket?.id;
    if (!firstId) throw new Error('no ticket was issued');
    expect((await command(gw.httpUrl, { action: 'call-next', desk: '1' }, desk)).body.event?.ticket?.id).toBe(firstId);
    await command(gw.httpUrl, { action: 'finish', desk: '1', ticketId: firstId }, desk);

    const day = today();
    const res = await get(`/api/stats/queue?from=${day}&to=${day}&by=service`, gw.admin);
    expect(res.status).toBe(200);
    const stats = QueueStatsAnswer.parse(await res.json());
    expect(stats.liveDays).toEqual([day]);
    expect(stats.rows.map((r) => [r.key, r.issued, r.served, r.unfinished])).toEqual([
      ['maintenance', 2, 1, 1],
      ['sales', 1, 0, 1],
    ]);
    expect(stats.total.issued).toBe(3);
    expect(stats.total.waitMeanS).not.toBeNull();

    const csv = await get(`/api/stats/queue.csv?from=${day}&to=${day}&by=service`, gw.admin);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toBe(`attachment; filename="queue-${day}-${day}-by-service.csv"`);
    const bytes = Buffer.from(await csv.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // the BOM spreadsheets need for UTF-8
    const lines = bytes.subarray(3).toString('utf8').trim().split('\r\n');
    expect(lines.map((l) => l.split(',').slice(0, 3).join(','))).toEqual(['service,issued,served', 'maintenance,2,1', 'sales,1,0', 'total,3,1']);
  });

  it('is for managers only', async () => {
    const day = today();
    for (const role of ['receptionist', 'advisor', 'installer'] as const) {
      const res = await get(`/api/stats/queue?from=${day}&to=${day}`, bearer(staffToken(gw.gateway, role, `stats ${role}`)));
      expect(res.status, role).toBe(403);
    }
    expect((await get(`/api/stats/queue.csv?from=${day}&to=${day}`, {})).status).toBe(401);
    expect((await get(`/api/stats/workshop?from=${day}&to=${day}`, bearer(staffToken(gw.gateway, 'advisor', 'stats advisor 2')))).status).toBe(403);
    expect((await get(`/api/stats/workshop?from=${day}&to=${day}`, gw.admin)).status).toBe(200);
  });

  it('refuses a bad query with the reason', async () => {
    for (const query of ['from=2026-03-05&to=2026-03-01', 'from=2024-01-01&to=2026-12-31', 'from=2026-03-01&to=2026-03-02&by=week', 'from=yesterday&to=2026-03-02', 'from=2026-03-01&to=2026-03-02&pad=1']) {
      const res = await get(`/api/stats/queue?${query}`, gw.admin);
      expect(res.status, query).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid-request');
    }
  });
});
