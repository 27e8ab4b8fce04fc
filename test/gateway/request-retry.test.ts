import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { bearer, deviceToken } from '../support/identities.js';
import { waitFor } from '../support/process.js';

// A screen that lost the answer to a command sends it again with the same request id
// (Idempotency-Key) and gets the first answer back: one ticket, not two. The answer lives in
// SQLite beside the change, so it survives a restart of the gateway.

let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.dispose();
  gw = undefined;
});

interface Sent {
  status: number;
  replayed: boolean;
  body: { ticket?: { id: string; number: string }; order?: { no: string }; error?: { code: string } };
}

async function send(url: string, body: unknown, headers: Record<string, string>, requestId?: string): Promise<Sent> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers, ...(requestId ? { 'idempotency-key': requestId } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, replayed: res.headers.get('idempotent-replayed') === 'true', body: (await res.json()) as Sent['body'] };
}

/** Tickets issued for a service, by the audit log (kept across restarts). */
function issued(g: TestGateway, service: string): number {
  return g.gateway.identity.audit.list({ limit: 1000, action: 'queue.issue' }).filter((r) => (r.detail as { service?: string }).service === service).length;
}

describe('a command sent again with the same request id', () => {
  it('answers a repeated ticket request with the first ticket, and acts once', async () => {
    gw = await startTestGateway();
    const kiosk = bearer(deviceToken(gw.gateway, 'kiosk-1', 'kiosk', 'kiosk-1'));
    const url = `${gw.httpUrl}/api/queue/commands`;
    const first = await send(url, { action: 'issue', service: 'repair' }, kiosk, 'kiosk-1:0001');
    const again = await send(url, { action: 'issue', service: 'repair' }, kiosk, 'kiosk-1:0001');
    expect(first).toMatchObject({ status: 200, replayed: false });
    expect(again).toMatchObject({ status: 200, replayed: true });
    expect(again.body).toEqual(first.body);
    expect(issued(gw, 'repair')).toBe(1);

    // A new id is a new command; no id at all works as before.
    expect((await send(url, { action: 'issue', service: 'repair' }, kiosk, 'kiosk-1:0002')).body.ticket?.id).not.toBe(first.body.ticket?.id);
    expect((await send(url, { action: 'issue', service: 'repair' }, kiosk)).status).toBe(200);
    expect(issued(gw, 'repair')).toBe(3);
  });

  it('gives a kiosk whose connection died after sending the ticket it had already been given, across a restart too', async () => {
    gw = await startTestGateway();
    const token = deviceToken(gw.gateway, 'kiosk-1', 'kiosk', 'kiosk-1');
    const port = gw.gateway.httpPort;
    // The request goes out and the connection is cut before any answer is read.
    const body = JSON.stringify({ action: 'issue', service: 'maintenance' });
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.on('error', () => undefined);
    socket.end(
      `POST /api/queue/commands HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer ${token}\r\nidempotency-key: kiosk-1:lost-0001\r\n` +
        `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    socket.destroy();
    const g = gw;
    await waitFor(() => (issued(g, 'maintenance') === 1 ? true : undefined));

    const retry = await send(`${gw.httpUrl}/api/queue/commands`, { action: 'issue', service: 'maintenance' }, bearer(token), 'kiosk-1:lost-0001');
    expect(retry).toMatchObject({ status: 200, replayed: true, body: { ticket: { number: 'A001' } } });
    expect(issued(gw, 'maintenance')).toBe(1);

    await gw.stop();
    gw = await startTestGateway({ dataDir: gw.dataDir });
    const afterRestart = await send(`${gw.httpUrl}/api/queue/commands`, { action: 'issue', service: 'maintenance' }, bearer(token), 'kiosk-1:lost-0001');
    expect(afterRestart).toMatchObject({ status: 200, replayed: true });
    expect(afterRestart.body).toEqual(retry.body);
    expect(issued(gw, 'maintenance')).toBe(1);
  });

  it('keeps request ids apart per principal and per target, and refuses a malformed one', async () => {
    gw = await startTestGateway();
    const kioskA = bearer(deviceToken(gw.gateway, 'kiosk-a', 'kiosk', 'kiosk-a'));
    const kioskB = bearer(deviceToken(gw.gateway, 'kiosk-b', 'kiosk', 'kiosk-b'));
    const url = `${gw.httpUrl}/api/queue/commands`;
    const a = await send(url, { action: 'issue', service: 'sales' }, kioskA, 'same-id-0001');
    const b = await send(url, { action: 'issue', service: 'sales' }, kioskB, 'same-id-0001');
    expect([a.replayed, b.replayed]).toEqual([false, false]);
    expect(b.body.ticket?.id).not.toBe(a.body.ticket?.id);

    // The same id sent to another route is a mistake, not a retry.
    const order = { action: 'open', plate: '粤B·RTY01', model: 'Retry', advisor: 'Zhang' };
    expect(await send(`${gw.httpUrl}/api/workshop/commands`, order, gw.admin, 'desk-0001')).toMatchObject({ status: 200, replayed: false });
    expect(await send(`${gw.httpUrl}/api/workshop/commands`, order, gw.admin, 'desk-0001')).toMatchObject({ status: 200, replayed: true });
    expect((await send(url, { action: 'issue', service: 'sales' }, gw.admin, 'desk-0001')).body).toMatchObject({ error: { code: 'request-id-reused' } });
    expect((await send(url, { action: 'issue', service: 'sales' }, kioskA, 'x')).status).toBe(400);
    expect(issued(gw, 'sales')).toBe(2);
    const orders = (await (await fetch(`${gw.httpUrl}/api/workshop/orders`, { headers: gw.admin })).json()) as { orders: { plate: string }[] };
    expect(orders.orders.filter((o) => o.plate === '粤B·RTY01')).toHaveLength(1);
  });
});
