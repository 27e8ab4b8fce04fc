import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DmsEvent } from '@forecourt/gateway/protocol';
import { demoMembers } from '../../../gateway/src/demo/demo-members.js';
import { ChangesPage } from '../../../gateway/src/relay/inbound-changes.js';
import { DmsSimulator } from '../../../gateway/src/tools/dms-simulator/index.js';
import { ReceivedStore, type Refusal } from '../../../gateway/src/tools/dms-simulator/received-store.js';
import { waitFor } from '../../support/process.js';

// The DMS simulator keeps the DMS contract's receiving rules; the relay tests lean on them.

const event = (seq: number, eventId: string = randomUUID()): DmsEvent => ({
  storeId: 's1',
  seq,
  eventId,
  type: 'queue.mode-changed',
  aggregate: { type: 'queue', id: 'queue' },
  at: '2026-12-01T02:00:00.000Z',
  data: { mode: 'peak', previous: 'normal', by: 'desk:1' },
  schema: 'forecourt.queue-mode/1',
});
const events = (...seqs: number[]) => seqs.map((s) => event(s));
const takeAll = (): undefined => undefined;
const refuse = (seq: number) => (e: DmsEvent): Refusal | undefined => (e.seq === seq ? { status: 409, code: 'no', reason: 'refused' } : undefined);

describe('what the simulated DMS stores', () => {
  it('starts at the first batch\'s seq, then stores in order up to the first gap', () => {
    const store = new ReceivedStore();
    expect(store.accept('s1', events(5, 6), takeAll)).toMatchObject({ kind: 'accepted', acceptedThrough: 6, stored: 2 });
    expect(store.accept('s1', events(8, 9), takeAll)).toMatchObject({ kind: 'accepted', acceptedThrough: 6, stored: 0 });
    expect(store.accept('s1', events(7, 8, 9), takeAll, 2)).toMatchObject({ kind: 'accepted', acceptedThrough: 8, stored: 2 });
    expect(store.received('s1').map((e) => e.seq)).toEqual([5, 6, 7, 8]);
  });

  it('acknowledges duplicates by seq or eventId and stores them once', () => {
    const store = new ReceivedStore();
    const first = events(1, 2);
    store.accept('s1', first, takeAll);
    expect(store.accept('s1', [...first, event(3, first[0]!.eventId), event(4)], takeAll)).toMatchObject({ acceptedThrough: 4, stored: 1, duplicates: 3 });
    expect(store.received('s1').map((e) => e.seq)).toEqual([1, 2, 4]);
    expect(store.counters('s1')).toMatchObject({ duplicates: 3, stored: 3, through: 4 });
  });

  it('passes a refused event by, and stores it when it comes back acceptable', () => {
    const store = new ReceivedStore();
    expect(store.accept('s1', events(1, 2, 3), refuse(2))).toMatchObject({ kind: 'rejected', acceptedThrough: 1, rejected: { seq: 2, code: 'no' } });
    expect(store.accept('s1', events(3, 4), takeAll)).toMatchObject({ kind: 'accepted', acceptedThrough: 4 });
    expect(store.accept('s1', events(2), refuse(2))).toMatchObject({ kind: 'rejected', acceptedThrough: 1, rejected: { seq: 2 } });
    expect(store.accept('s1', events(2), takeAll)).toMatchObject({ kind: 'accepted', acceptedThrough: 4, stored: 1 });
    expect(store.received('s1').map((e) => e.seq)).toEqual([1, 2, 3, 4]);
  });

  describe('kept in a JSON-lines file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'forecourt-dms-sim-'));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('remembers everything after a restart: baseline, stored events, refusals', () => {
      const file = join(dir, 'received.jsonl');
      const before = new ReceivedStore(file);
      before.accept('s1', events(10, 11, 12), refuse(12));
      const again = new ReceivedStore(file);
      expect(again.received('s1')).toEqual(before.received('s1'));
      expect(again.counters('s1').through).toBe(12);
      expect(again.accept('s1', events(14), takeAll)).toMatchObject({ acceptedThrough: 12, stored: 0 });
      expect(again.accept('s1', events(12), takeAll)).toMatchObject({ kind: 'accepted', acceptedThrough: 12, stored: 1 });
    });
  });
});

describe('the simulator over HTTP', () => {
  let sim: DmsSimulator | undefined;
  afterEach(async () => {
    await sim?.close();
  });
  const auth = { authorization: 'Bearer sim-token-123' };

  it('serves changes page by page with an opaque cursor, to the token holder only', async () => {
    sim = new DmsSimulator({ token: 'sim-token-123' });
    sim.changes.addMembers(demoMembers(1, 3, new Date(), 'Asia/Shanghai'));
    const url = await sim.listen();
    const page = async (query: string) => fetch(`${url}/changes?${query}`, { headers: auth });
    const first = ChangesPage.parse(await (await page('limit=2')).json());
    expect(first).toMatchObject({ cursor: '2', more: true });
    expect(first.changes).toHaveLength(2);
    const rest = ChangesPage.parse(await (await page(`since=${first.cursor}&limit=2`)).json());
    expect(rest).toMatchObject({ cursor: '3', more: false });
    expect(rest.changes).toMatchObject([{ kind: 'member', member: { id: 3 } }]);
    expect((await page('since=not-a-cursor')).status).toBe(400);
    expect((await fetch(`${url}/changes`)).status).toBe(401);
  });

  it('stores a batch up to an event the contract refuses, and refuses that one for good (422)', async () => {
    sim = new DmsSimulator({ token: 'sim-token-123' });
    const url = await sim.listen();
    const post = (body: unknown) => fetch(`${url}/events`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const bad = { ...event(3), data: { mode: 'peak' } };
    const res = await post({ storeId: 's1', events: [event(1), event(2), bad, event(4)] });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ acceptedThrough: 2, rejected: { seq: 3, code: 'invalid-event' } });
    expect(sim.received('s1').map((e) => e.seq)).toEqual([1, 2]);
    expect((await post({ storeId: 'Not A Store', events: [event(5)] })).status).toBe(422);
    expect(sim.counters('s1').batches).toBe(1);
  });

  it('goes down on request (connection refused) and comes back on the same port', async () => {
    sim = new DmsSimulator({ token: 'sim-token-123' });
    const url = await sim.listen();
    const set = await fetch(`${url}/_sim/faults`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ downForMs: 500 }) });
    expect(set.status).toBe(200);
    await waitFor(async () => ((await fetch(`${url}/_sim/faults`, { headers: auth }).then(() => 'up', () => 'down')) === 'down' ? true : undefined));
    const faults = await waitFor(async () => (await fetch(`${url}/_sim/faults`, { headers: auth })).json());
    expect(faults).toMatchObject({ down: false });
  });
});
