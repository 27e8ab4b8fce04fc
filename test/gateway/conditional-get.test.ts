import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

// The phone status page asks for its order again and again: an unchanged order is a bodyless 304
// (If-None-Match against the answer's ETag), a changed one the new answer with a new ETag.
describe('conditional GETs for the phone status page', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(() => gw.dispose());

  const command = async (body: object) => {
    const res = await fetch(`${gw.httpUrl}/api/workshop/commands`, { method: 'POST', headers: { ...gw.admin, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(200);
    return (await res.json()) as { order: { no: string; token: string } };
  };

  it('answers 304 while the order is unchanged and the new status once it moves', async () => {
    const { order } = await command({ action: 'open', plate: '粤B·C7777', model: 'Toyota Camry', advisor: '王芳', jobs: [{ title: 'Oil service', technicians: ['张伟'] }] });
    const url = `${gw.httpUrl}/api/workshop/orders/by-token/${order.token}`;
    const first = await fetch(url);
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(first.headers.get('cache-control')).toBe('no-cache');
    expect(((await first.json()) as { order: { stage: string } }).order.stage).toBe('reception');

    const again = await fetch(url, { headers: { 'if-none-match': etag ?? '' } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect(again.headers.get('etag')).toBe(etag);
    // A weak validator and a list are understood too.
    expect((await fetch(url, { headers: { 'if-none-match': `"other", W/${etag}` } })).status).toBe(304);

    await command({ action: 'move', order: order.no, to: 'dispatched' });
    const moved = await fetch(url, { headers: { 'if-none-match': etag ?? '' } });
    expect(moved.status).toBe(200);
    expect(moved.headers.get('etag')).not.toBe(etag);
    expect(((await moved.json()) as { order: { stage: string } }).order.stage).toBe('dispatched');
  });

  it('gives refusals and staff routes no ETag', async () => {
    const missing = await fetch(`${gw.httpUrl}/api/workshop/orders/by-token/AAAAAAAAAAAAAAAAAAAAAA`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('etag')).toBeNull();
    const staff = await fetch(`${gw.httpUrl}/api/workshop/orders`, { headers: gw.admin });
    expect(staff.status).toBe(200);
    expect(staff.headers.get('etag')).toBeNull();
  });

  it('revalidates the store info the page greets with', async () => {
    const first = await fetch(`${gw.httpUrl}/api/store`);
    const etag = first.headers.get('etag') ?? '';
    expect(etag).not.toBe('');
    expect((await fetch(`${gw.httpUrl}/api/store`, { headers: { 'if-none-match': etag } })).status).toBe(304);
  });
});
