import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '@forecourt/gateway';
import { DeadLetter, type DmsEvent } from '@forecourt/gateway/protocol';
import { Outbox } from '../../gateway/src/store/outbox.js';
import { NO_FAULTS, type DmsSimulator, type FaultPatch } from '../../gateway/src/tools/dms-simulator/index.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { DMS_TOKEN, drained, httpLink, metric, relayStatus, relayTo, startDms } from '../support/head-office.js';
import { bearer, staffToken } from '../support/identities.js';
import { waitFor } from '../support/process.js';
import { command } from '../support/queue-api.js';

// The store's relay to the dealer group's DMS over HTTP: a real gateway and SQLite, queue
// traffic through the HTTP API, and the DMS simulator on loopback with its faults.

const SERVICES = ['maintenance', 'repair', 'claims', 'sales', 'pickup'] as const;
/** A desk that serves each service (the default layout). */
const DESK_OF: Record<(typeof SERVICES)[number], string> = { maintenance: '1', repair: '2', claims: '4', sales: '3', pickup: '4' };

const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);

async function ok(gw: TestGateway, cmd: Record<string, unknown>): Promise<string | undefined> {
  const answer = await command(gw.httpUrl, cmd, gw.admin);
  if (answer.status !== 200) throw new Error(`${String(cmd['action'])}: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.ticket?.id;
}

/**
 * `count` customers through the desks, four at a time, the way a day goes: a ticket, a call
 * (every seventh called twice), then served, or a no-show for every tenth.
 */
async function servedTickets(gw: TestGateway, count: number, first = 0): Promise<void> {
  const LANES = 4;
  await Promise.all(
    range(0, LANES - 1).map(async (lane) => {
      for (let i = first + lane; i < first + count; i += LANES) {
        const service = SERVICES[i % SERVICES.length]!;
        const desk = DESK_OF[service];
        const ticketId = await ok(gw, { action: 'issue', service });
        await ok(gw, { action: 'call', desk, ticketId });
        if (i % 7 === 0) await ok(gw, { action: 'recall', desk, ticketId });
        if (i % 10 === 0) {
          await ok(gw, { action: 'no-show', desk, ticketId });
          continue;
        }
        await ok(gw, { action: 'start', desk, ticketId });
        await ok(gw, { action: 'finish', desk, ticketId });
      }
    }),
  );
}

/** Everything the store's outbox holds, as it would be relayed. */
function outboxOf(gw: TestGateway): DmsEvent[] {
  const db = openDatabase(gw.dataDir);
  try {
    return new Outbox(db).after(gw.config.store.id, 0, 1_000_000);
  } finally {
    db.close();
  }
}

describe('a peak day while head office is down', () => {
  let dms: DmsSimulator;
  let gw: TestGateway;
  beforeAll(async () => {
    dms = await startDms();
    gw = await startTestGateway({ configure: relayTo(dms) });
  });
  afterAll(async () => {
    await gw?.dispose();
    await dms?.close();
  });

  it('keeps the day in the outbox, then delivers the whole backlog in order, each event stored once', async () => {
    await dms.setFaults({ down: true });
    await servedTickets(gw, 1500);

    const offline = await relayStatus(gw);
    const link = offline.transports.find((t) => t.transport === 'http');
    expect(offline.lastSeq).toBeGreaterThan(10_000);
    expect(link).toMatchObject({ ackedThrough: 0, backlog: offline.lastSeq });
    expect(link?.state).not.toBe('connected');
    expect(await metric(gw, 'forecourt_relay_failures_total', { transport: 'http', code: 'network' })).toBeGreaterThan(0);
    expect(await metric(gw, 'forecourt_relay_backlog_events', { transport: 'http' })).toBe(offline.lastSeq);

    await dms.setFaults({ down: false });
    const done = await drained(gw, 30_000);
    const received = dms.received(gw.config.store.id);
    expect(received.map((e) => e.seq)).toEqual(range(1, done.lastSeq));
    expect(new Set(received.map((e) => e.eventId)).size).toBe(received.length);
    expect(received).toEqual(outboxOf(gw));
    expect(await httpLink(gw)).toMatchObject({ state: 'connected', backlog: 0, oldestUnsentAt: null, lastError: null });
    expect(await metric(gw, 'forecourt_relay_sent_events_total', { transport: 'http' })).toBeGreaterThanOrEqual(done.lastSeq);
  }, 120_000);
});

interface FaultCase {
  name: string;
  faults: FaultPatch;
  /** The failure code /metrics counts for it; null when the relay gets on without failing. */
  code: string | null;
  /** The DMS stored batches whose answers the relay could not use: they come again as duplicates. */
  storedThenResent: boolean;
}

const FAULTS: FaultCase[] = [
  { name: 'HTTP 500 for every batch', faults: { errorRate: 1 }, code: 'http-500', storedThenResent: false },
  { name: 'no answer at all (timeouts)', faults: { hang: true }, code: 'timeout', storedThenResent: true },
  { name: 'a reply that is not JSON', faults: { garbage: 'not-json' }, code: 'garbage', storedThenResent: true },
  { name: 'a reply of the wrong shape', faults: { garbage: 'wrong-shape' }, code: 'garbage', storedThenResent: true },
  { name: 'a reply too large to read', faults: { garbage: 'too-large' }, code: 'too-large', storedThenResent: true },
  { name: 'acceptedThrough beyond what was sent', faults: { garbage: 'beyond-sent' }, code: 'beyond-sent', storedThenResent: true },
  { name: 'acceptedThrough going backwards', faults: { garbage: 'backwards' }, code: 'backwards', storedThenResent: true },
  { name: 'the reply of the batch before (duplicate replies)', faults: { duplicateReplies: true }, code: 'no-progress', storedThenResent: true },
  { name: 'only the first 3 events of each batch stored', faults: { acceptFirst: 3 }, code: null, storedThenResent: false },
];

describe('faults at head office', () => {
  let dms: DmsSimulator;
  let gw: TestGateway;
  let customers = 0;
  const store = () => gw.config.store.id;
  beforeAll(async () => {
    dms = await startDms();
    gw = await startTestGateway({ configure: relayTo(dms) });
    // Something delivered already, so every fault meets a stream under way.
    await servedTickets(gw, 3);
    customers = 3;
    await drained(gw);
  });
  afterEach(async () => {
    await dms.setFaults(NO_FAULTS);
  });
  afterAll(async () => {
    await gw?.dispose();
    await dms?.close();
  });

  it.each(FAULTS)('$name: nothing lost, nothing skipped, the cursor never ahead of the DMS', async ({ faults, code, storedThenResent }) => {
    const before = { failures: code ? await metric(gw, 'forecourt_relay_failures_total', { transport: 'http', code }) : 0, dms: dms.counters(store()), lastSeq: (await relayStatus(gw)).lastSeq };
    await dms.setFaults(faults);
    await servedTickets(gw, 6, customers);
    customers += 6;
    const written = (await relayStatus(gw)).lastSeq - before.lastSeq;

    // While the fault lasts, the store never counts as delivered what the DMS does not hold.
    const cursorAhead: string[] = [];
    await waitFor(
      async () => {
        const acked = (await httpLink(gw)).ackedThrough;
        const held = dms.counters(store()).through;
        if (acked > held) cursorAhead.push(`acked ${acked} > DMS ${held}`);
        if (code) return (await metric(gw, 'forecourt_relay_failures_total', { transport: 'http', code })) > before.failures || undefined;
        return dms.counters(store()).batches - before.dms.batches >= Math.ceil(written / 3) || undefined;
      },
      15_000,
    );
    await dms.setFaults(NO_FAULTS);
    const done = await drained(gw);

    expect(cursorAhead).toEqual([]);
    expect(dms.received(store()).map((e) => e.seq)).toEqual(range(1, done.lastSeq));
    expect(await httpLink(gw)).toMatchObject({ ackedThrough: done.lastSeq, backlog: 0, rejected: 0 });
    if (storedThenResent) expect(dms.duplicatesDropped(store())).toBeGreaterThan(before.dms.duplicates);
  }, 40_000);

  it('dead-letters one event the DMS refuses, delivers the rest, and stores it on a manager\'s retry once the DMS takes it', async () => {
    await dms.setFaults({ refuse: { types: ['queue.mode-changed'], status: 409, code: 'unknown-queue-mode' } });
    await ok(gw, { action: 'set-mode', mode: 'peak' });
    await servedTickets(gw, 4, customers);
    customers += 4;
    const done = await drained(gw);

    const letters = await fetch(`${gw.httpUrl}/api/relay/dead-letters`, { headers: gw.admin });
    expect(letters.status).toBe(200);
    const { deadLetters } = (await letters.json()) as { deadLetters: DeadLetter[] };
    expect(deadLetters).toHaveLength(1);
    const [letter] = deadLetters.map((d) => DeadLetter.parse(d));
    expect(letter).toMatchObject({ transport: 'http', type: 'queue.mode-changed', code: 'unknown-queue-mode' });
    const seq = letter!.seq;
    // The rest went on: the DMS holds every other event of the day.
    expect(dms.received(store()).map((e) => e.seq)).toEqual(range(1, done.lastSeq).filter((s) => s !== seq));
    expect(await httpLink(gw)).toMatchObject({ rejected: 1, backlog: 0 });
    expect(await metric(gw, 'forecourt_relay_rejected_events', { transport: 'http' })).toBe(1);
    expect(await metric(gw, 'forecourt_relay_rejected_events_total')).toBe(1);

    // Only a manager sees refused events (they carry the event) and retries them.
    const reception = bearer(staffToken(gw.gateway, 'receptionist'));
    const retry = (as: Record<string, string>) => fetch(`${gw.httpUrl}/api/relay/dead-letters/http/${seq}/retry`, { method: 'POST', headers: as });
    expect((await fetch(`${gw.httpUrl}/api/relay/dead-letters`, { headers: reception })).status).toBe(403);
    expect((await retry(reception)).status).toBe(403);

    const refusedAgain = await retry(gw.admin);
    expect(await refusedAgain.json()).toMatchObject({ stored: false });
    expect(await httpLink(gw)).toMatchObject({ rejected: 1 });

    await dms.setFaults({ refuse: {} });
    const stored = await retry(gw.admin);
    expect(stored.status).toBe(200);
    expect(await stored.json()).toEqual({ stored: true });
    // The retries' audit rows are events too: they follow.
    const after = await drained(gw);
    expect(dms.received(store()).map((e) => e.seq)).toEqual(range(1, after.lastSeq));
    expect(((await (await fetch(`${gw.httpUrl}/api/relay/dead-letters`, { headers: gw.admin })).json()) as { deadLetters: unknown[] }).deadLetters).toEqual([]);
    expect(await httpLink(gw)).toMatchObject({ rejected: 0 });

    const audit = (await (await fetch(`${gw.httpUrl}/api/audit?action=relay.retry`, { headers: gw.admin })).json()) as { rows: { actor: string; target: string; detail: { stored: boolean } }[] };
    expect(audit.rows.map((r) => ({ target: r.target, stored: r.detail.stored }))).toEqual([
      { target: `seq:${seq}`, stored: true },
      { target: `seq:${seq}`, stored: false },
    ]);
  }, 40_000);

  it('refuses a wrong token (401) and a body that is no batch (422), storing nothing', async () => {
    const res = await fetch(`${dms.url}/events`, { method: 'POST', headers: { authorization: 'Bearer not-the-token', 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(401);
    const good = await fetch(`${dms.url}/events`, { method: 'POST', headers: { authorization: `Bearer ${DMS_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ storeId: 'other', events: [] }) });
    expect(good.status).toBe(422);
    expect(dms.counters('other').batches).toBe(0);
  });
});

describe('personal data stays in the store', () => {
  let dms: DmsSimulator;
  let gw: TestGateway;
  const member = {
    id: 4242,
    name: '欧阳小明',
    phone: '13912345678',
    level: 'gold' as const,
    points: 1200,
    birthday: '1988-03-14',
    vehicles: [
      { id: 42421, plate: '粤B·D5678', vin: 'LSVAU033512345678', model: 'Camry 2.5L', mileageKm: 42_000, maintenanceDueDate: null, maintenanceDueKm: null, inspectionDue: null, insuranceExpiry: null, recommended: [] },
    ],
    appointments: [],
  };
  beforeAll(async () => {
    dms = await startDms();
    dms.changes.addMembers([member]);
    gw = await startTestGateway({ configure: relayTo(dms, { syncEverySeconds: 1 }) });
    await waitFor(async () => ((await relayStatus(gw)).sync?.applied === 1 ? true : undefined));
  });
  afterAll(async () => {
    await gw?.dispose();
    await dms?.close();
  });

  it('sends no name, phone number, VIN, ticket page id or order token of a member\'s visit', async () => {
    const ticketId = await ok(gw, { action: 'issue', service: 'repair', memberRef: `member:${member.id}/vehicle:42421` });
    await ok(gw, { action: 'call', desk: '2', ticketId });
    const open = await fetch(`${gw.httpUrl}/api/workshop/commands`, {
      method: 'POST',
      headers: { ...gw.admin, 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'open', plate: member.vehicles[0]!.plate, model: member.vehicles[0]!.model, advisor: 'Zhang', ticketId, jobs: [{ title: 'Brakes' }] }),
    });
    expect(open.status).toBe(200);
    const { order } = (await open.json()) as { order: { statusPath: string } };
    const token = new URLSearchParams(order.statusPath.split('?')[1]).get('t');
    expect(token).toMatch(/^[A-Za-z0-9_-]{22}$/);
    await drained(gw);

    const received = dms.received(gw.config.store.id);
    const ticketIssued = received.find((e) => e.type === 'ticket.issued');
    const orderOpened = received.find((e) => e.type === 'order.opened');
    // Head office knows whose visit it was by its own ids.
    expect(ticketIssued?.data).toMatchObject({ customerId: member.id, vehicleId: 42421 });
    expect(orderOpened?.data).toMatchObject({ customerId: member.id, vehicleId: 42421 });
    const everything = JSON.stringify(received);
    for (const secret of [member.name, member.phone, member.vehicles[0]!.vin, ticketId!, token!]) expect(everything).not.toContain(secret);
  });
});

describe('demo: head office is simulated in the same process', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ demo: true });
  });
  afterAll(async () => {
    await gw?.dispose();
  });

  it('relays the demo store to the simulated DMS, syncs the demo members from it, and stops it with the gateway', async () => {
    const url = gw.gateway.headOfficeUrl;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(gw.config.relay.http).toBeUndefined();
    await ok(gw, { action: 'issue', service: 'sales' });
    const page = await waitFor(async () => {
      const html = await (await fetch(`${url}/`)).text();
      return html.includes('ticket.issued') ? html : undefined;
    });
    expect(page).toContain(`Store ${gw.config.store.id}`);
    expect(await httpLink(gw)).toMatchObject({ state: 'connected' });
    // The demo head office serves the 200 demo members and books 3 repair orders for tomorrow.
    const sync = await waitFor(async () => ((await relayStatus(gw)).sync?.applied === 203 ? (await relayStatus(gw)).sync : undefined));
    expect(sync).toMatchObject({ rejected: 0, lastError: null });

    await gw.stop();
    await expect(fetch(`${url}/`)).rejects.toThrow();
  });
});
