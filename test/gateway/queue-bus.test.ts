import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallEvent, QueueSnapshot, RecentCalls, ServiceList, topics } from '@forecourt/gateway/protocol';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { connectClient, nextMessage } from '../support/mqtt.js';
import { command } from '../support/queue-api.js';
import { bearer, deviceLogin, deviceToken, staffToken } from '../support/identities.js';
import { countTicketReads } from '../support/ticket-reads.js';

let gw: TestGateway;
/** Who sends what: a kiosk takes tickets, a receptionist's desk calls them. */
let kiosk: Record<string, string>;
let reception: Record<string, string>;
beforeAll(async () => {
  gw = await startTestGateway();
  kiosk = bearer(deviceToken(gw.gateway, 'kiosk-1', 'kiosk', 'kiosk-1'));
  reception = bearer(staffToken(gw.gateway, 'receptionist'));
});
afterAll(async () => {
  await gw.dispose();
});

describe('queue over HTTP commands and the bus', () => {
  it('many simultaneous issues and call-nexts never duplicate or lose a ticket', async () => {
    const store = gw.config.store.id;
    const board = await connectClient(gw.wsUrl, deviceLogin(gw.gateway, 'board-1', 'board'));
    const calls: CallEvent[] = [];
    board.on('message', (topic, payload) => topic === topics.queueCall(store) && calls.push(CallEvent.parse(JSON.parse(payload.toString()))));
    await board.subscribeAsync(topics.queueCall(store), { qos: 1 });

    const services = ['maintenance', 'repair', 'claims', 'sales', 'pickup'] as const;
    const issued = await Promise.all(
      Array.from({ length: 200 }, (_, i) => command(gw.httpUrl, { action: 'issue', service: services[i % services.length] ?? 'maintenance' }, kiosk)),
    );
    expect(issued.every((a) => a.status === 200)).toBe(true);
    const numbers = issued.map((a) => a.body.ticket?.number);
    expect(new Set(numbers).size).toBe(200);
    expect(numbers.filter((n) => n?.startsWith('A')).sort().at(-1)).toBe('A040');

    // Four desks call next as fast as they can, all at once, until their queues are empty.
    const called: string[] = [];
    await Promise.all(
      ['1', '2', '3', '4'].map(async (desk) => {
        for (;;) {
          const answer = await command(gw.httpUrl, { action: 'call-next', desk }, reception);
          if (answer.status === 409 && answer.body.error?.code === 'queue-empty') return;
          expect(answer.status).toBe(200);
          called.push(answer.body.ticket?.number ?? '');
        }
      }),
    );
    expect(called).toHaveLength(200);
    expect(new Set(called).size).toBe(200);
    await expect.poll(() => calls.length).toBe(200);
    expect(new Set(calls.map((c) => c.ticketNumber)).size).toBe(200);
    await board.endAsync();
  }, 90_000); // 400 commands, each a durable commit: a busy shared disk takes well over the default 30 s

  it('refuses a wrong command with a clear code and changes nothing', async () => {
    const { body: issued } = await command(gw.httpUrl, { action: 'issue', service: 'sales' }, kiosk);
    const ticketId = issued.ticket?.id ?? '';
    const before = await (await fetch(`${gw.httpUrl}/api/queue/tickets/${ticketId}`)).json();

    const finishUncalled = await command(gw.httpUrl, { action: 'finish', desk: '3', ticketId }, reception);
    expect(finishUncalled.status).toBe(409);
    expect(finishUncalled.body.error?.code).toBe('wrong-state');
    const wrongDesk = await command(gw.httpUrl, { action: 'call', desk: '1', ticketId }, reception);
    expect(wrongDesk.body.error?.code).toBe('desk-does-not-serve');
    const unknown = await command(gw.httpUrl, { action: 'issue', service: 'car-wash' }, kiosk);
    expect(unknown.status).toBe(404);
    const malformed = await command(gw.httpUrl, { action: 'call-next' }, reception);
    expect(malformed.status).toBe(400);
    expect(malformed.body.error?.code).toBe('invalid-command');
    // Who sends it matters too: nobody, a kiosk calling tickets, a kiosk naming its own priority.
    const anonymous = await command(gw.httpUrl, { action: 'call', desk: '4', ticketId }, {});
    expect([anonymous.status, anonymous.body.error?.code]).toEqual([401, 'sign-in-required']);
    const kioskCalls = await command(gw.httpUrl, { action: 'call', desk: '4', ticketId }, kiosk);
    expect([kioskCalls.status, kioskCalls.body.error?.code]).toEqual([403, 'forbidden']);
    const kioskVip = await command(gw.httpUrl, { action: 'issue', service: 'sales', priority: 'vip' }, kiosk);
    expect([kioskVip.status, kioskVip.body.error?.code]).toEqual([403, 'priority-not-allowed']);

    expect(await (await fetch(`${gw.httpUrl}/api/queue/tickets/${ticketId}`)).json()).toEqual(before);
  });

  it('publishes retained snapshots a fresh board reads at once, without ticket ids or member data', async () => {
    const store = gw.config.store.id;
    // Priority and member come from a card check or from staff, never from a kiosk's request body.
    await command(gw.httpUrl, { action: 'issue', service: 'claims', priority: 'appointment', memberRef: 'member-secret-42' }, reception);
    const reader = await connectClient(gw.wsUrl, deviceLogin(gw.gateway, 'board-fresh', 'board'));
    const snapshot = QueueSnapshot.parse(JSON.parse((await nextMessage(reader, topics.queueService(store, 'claims'))).payload.toString()));
    expect(snapshot.waiting[0]?.priority).toBe('appointment');
    const list = ServiceList.parse(JSON.parse((await nextMessage(reader, topics.queueServices(store))).payload.toString()));
    expect(list.services.find((s) => s.code === 'claims')?.waitingCount).toBe(snapshot.waitingCount);
    const recent = RecentCalls.parse(JSON.parse((await nextMessage(reader, topics.queueCalls(store))).payload.toString()));
    expect(recent.calls.length).toBeGreaterThan(0);
    for (const raw of [JSON.stringify(snapshot), JSON.stringify(list), JSON.stringify(recent)]) {
      expect(raw).not.toContain('member-secret-42');
      expect(raw).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    }
    await reader.endAsync();
  });

  it('answers the ticket status page by id, and nothing for a guessed id', async () => {
    const { body } = await command(gw.httpUrl, { action: 'issue', service: 'pickup' }, kiosk);
    // The customer's phone has no credentials: the unguessable id is enough.
    const res = await fetch(`${gw.httpUrl}/api/queue/tickets/${body.ticket?.id}`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { ticket: { number: string } }).ticket.number).toBe(body.ticket?.number);
    expect((await fetch(`${gw.httpUrl}/api/queue/tickets/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
    expect((await fetch(`${gw.httpUrl}/api/queue/tickets/A001`)).status).toBe(404);
  });
});

describe('reads of the day\'s tickets', () => {
  it('takes one for announcing a change and one for a desk view, not one per payload', async () => {
    const counted = countTicketReads();
    const readsOf = async (request: () => Promise<unknown>): Promise<number> => {
      counted.reset();
      await request();
      return counted.reads;
    };
    try {
      const issue = () => command(gw.httpUrl, { action: 'issue', service: 'sales' }, kiosk);
      const { body } = await issue();
      // The waiting tickets for its first estimate and for its place in the answer, then the announce.
      expect(await readsOf(issue)).toBe(3);
      expect(await readsOf(() => command(gw.httpUrl, { action: 'cancel', ticketId: body.ticket?.id ?? '' }, reception))).toBe(1);
      // The desk's own tickets, the reading for its services, mode and suggestion, its no-shows.
      expect(await readsOf(() => fetch(`${gw.httpUrl}/api/queue/desks/3`, { headers: reception }).then((r) => r.json()))).toBe(3);
    } finally {
      counted.restore();
    }
  });
});

describe('queue across a restart', () => {
  it('continues numbering, desk assignments and the board after a restart mid-day', async () => {
    const first = await startTestGateway();
    const kioskOfTheDay = bearer(deviceToken(first.gateway, 'kiosk-1', 'kiosk', 'kiosk-1'));
    for (let i = 0; i < 3; i++) await command(first.httpUrl, { action: 'issue', service: 'maintenance' }, kioskOfTheDay);
    const called = await command(first.httpUrl, { action: 'call-next', desk: '2' }, first.admin);
    expect(called.body.ticket?.number).toBe('A001');
    await first.stop();

    const second = await startTestGateway({ dataDir: first.dataDir });
    try {
      // The kiosk's token, like the queue, outlives the restart.
      const next = await command(second.httpUrl, { action: 'issue', service: 'maintenance' }, kioskOfTheDay);
      expect(next.body.ticket?.number).toBe('A004');
      const desk = (await (await fetch(`${second.httpUrl}/api/queue/desks/2`, { headers: second.admin })).json()) as {
        current: { number: string }[];
        queues: { service: string; waitingCount: number }[];
      };
      expect(desk.current.map((t) => t.number)).toEqual(['A001']);
      expect(desk.queues.find((q) => q.service === 'maintenance')?.waitingCount).toBe(3);
      const board = await connectClient(second.wsUrl, deviceLogin(second.gateway, 'board-1', 'board'));
      const recent = RecentCalls.parse(JSON.parse((await nextMessage(board, topics.queueCalls(second.config.store.id))).payload.toString()));
      expect(recent.calls[0]).toMatchObject({ ticketNumber: 'A001', desk: '2' });
      await board.endAsync();
    } finally {
      await second.dispose();
    }
  });
});
