import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ANONBANK_COLUMNS,
  BENCH_SERVICES,
  busiestDay,
  contactTimes,
  parseAnonbank,
  rowBusinessDay,
  serviceOfType,
  toTrace,
  type AnonbankRow,
  type TraceAction,
} from '../../gateway/src/bench/anonbank.js';
import { DEFAULT_SERVICES, QueueEngine } from '../../gateway/src/domain/queue/index.js';
import { openDatabase } from '../../gateway/src/store/database.js';
import { SqliteQueueStore } from '../../gateway/src/store/queue-store.js';

const HEADER = ANONBANK_COLUMNS.join('\t');
const row = (...fields: string[]) => fields.join('\t');

// Written for these tests, in the log's format; times are wall clock, UTC+8.
const SAMPLE = [
  HEADER,
  // 1 served after queueing 2 min, by S01, PS → maintenance
  row('AA0101', '100', '0', '0', 'PS', '990203', '10:00:00', '10:00:10', '10', '10:00:10', '10:02:10', '120', 'AGENT', '10:02:10', '10:07:10', '300', 'S01'),
  // 2 abandoned after 90 s, priority 2, NW → sales; it has a server code, which a HANG ignores
  row('AA0101', '101', 'c000007', '2', 'NW', '990203', '10:59:54', '11:00:00', '6', '11:00:00', '11:01:30', '90', 'HANG', '0:00:00', '0:00:00', '0', 'S02'),
  // 3 PHANTOM: skipped, not counted as malformed even with odd fields
  row('AA0101', '102', '0', '0', 'PS', '990203', '12:00:00', '12:00:05', '5', '0:00:00', '0:00:00', '0', 'PHANTOM', '0:00:00', '0:00:00', '0', 'NO_SERVER'),
  // 4 malformed: hour 25
  row('AA0101', '103', '0', '0', 'PS', '990203', '25:00:00', '25:00:05', '5', '0:00:00', '0:00:00', '0', 'AGENT', '25:00:05', '25:01:05', '60', 'S01'),
  // 5 malformed: a column missing
  row('AA0101', '104', '0', '0', 'PS', '990203', '12:00:00', '12:00:05', '5', '0:00:00', '0:00:00', '0', 'AGENT', '12:00:05', '12:01:05', '60'),
  // 6 past midnight: menu entered at 23:59:50, queued at 00:00:02, called 30 s later, TT → pickup, priority 2
  row('AA0102', '100', 'c000008', '2', 'TT', '990203', '23:59:50', '0:00:02', '12', '0:00:02', '0:00:32', '30', 'AGENT', '0:00:32', '0:01:32', '60', 'S02'),
  // 7 never queued, served at once without an agent code, IN → repair; ser_start is missing (0:00:00)
  row('AA0102', '101', '0', '1', 'IN', '990203', '12:00:00', '12:00:05', '5', '0:00:00', '0:00:00', '0', 'AGENT', '0:00:00', '0:00:00', '45', 'NO_SERVER'),
  // 8 the next log date at 01:30: still the business day of 02-03; a stray type → maintenance
  row('AA0102', '102', '0', '0', 'XX', '990204', '1:29:50', '1:30:00', '10', '1:30:00', '1:31:00', '60', 'AGENT', '1:31:00', '1:33:00', '120', 'S01'),
  // 9 hung up in the voice menu (never queued), NE → claims
  row('AA0103', '100', '0', '0', 'NE', '990203', '15:00:00', '15:00:20', '20', '0:00:00', '0:00:00', '0', 'HANG', '0:00:00', '0:00:00', '0', 'NO_SERVER'),
  // 10 business day 02-04 proper
  row('AA0103', '101', '0', '0', 'PE', '990204', '9:00:00', '9:00:05', '5', '9:00:05', '9:00:35', '30', 'AGENT', '9:00:35', '9:05:35', '300', 'S03'),
  // 11 malformed: negative wait
  row('AA0103', '102', '0', '0', 'PS', '990204', '9:10:00', '9:10:05', '5', '9:10:05', '9:10:35', '-30', 'AGENT', '9:10:35', '9:15:35', '300', 'S03'),
  '',
];

async function parseSample() {
  return parseAnonbank(SAMPLE);
}

function byCall(rows: AnonbankRow[], line: string, callId: string): AnonbankRow {
  const found = rows.find((r) => r['vru+line'] === line && r.call_id === callId);
  if (!found) throw new Error(`no row ${line}/${callId}`);
  return found;
}

const ofTicket = (actions: TraceAction[], id: string) => actions.filter((a) => a.id === id);

describe('parseAnonbank', () => {
  it('keeps valid rows, and skips and counts PHANTOM and malformed ones', async () => {
    const parsed = await parseSample();
    expect(parsed.rows).toHaveLength(7);
    expect(parsed.phantom).toBe(1);
    expect(parsed.malformed).toBe(3);
    expect(parsed.malformedExamples.map((m) => m.line)).toEqual([5, 6, 12]);
    const first = byCall(parsed.rows, 'AA0101', '100');
    expect(first).toMatchObject({ priority: 0, type: 'PS', date: '1999-02-03', q_start: 10 * 3600 + 10, q_time: 120, outcome: 'AGENT', server: 'S01' });
  });

  it('reads an async stream as well, and tolerates CRLF line ends', async () => {
    async function* lines() {
      for (const line of SAMPLE.slice(0, 3)) yield `${line}\r`;
    }
    const parsed = await parseAnonbank(lines());
    expect(parsed.rows).toHaveLength(2);
    expect(parsed.malformed).toBe(0);
  });

  it('refuses a file whose header is not the log', async () => {
    await expect(parseAnonbank(['a\tb\tc', SAMPLE[1] ?? ''])).rejects.toThrow(/not the Anonymous Bank log/);
  });

  it('rejects an impossible calendar date', async () => {
    const bad = (SAMPLE[1] ?? '').replace('990203', '990230');
    const parsed = await parseAnonbank([HEADER, bad]);
    expect(parsed.rows).toHaveLength(0);
    expect(parsed.malformed).toBe(1);
  });
});

describe('contact times and business days', () => {
  it('uses q_start and q_time, in Shanghai wall-clock time', async () => {
    const { rows } = await parseSample();
    const times = contactTimes(byCall(rows, 'AA0101', '100'));
    expect(times.arrival.toISOString()).toBe('1999-02-03T02:00:10.000Z');
    expect(times.leftQueue.toISOString()).toBe('1999-02-03T02:02:10.000Z');
    expect(times.finished?.toISOString()).toBe('1999-02-03T02:07:10.000Z');
  });

  it('rolls stamps past midnight into the next date but keeps the business day', async () => {
    const { rows } = await parseSample();
    const late = byCall(rows, 'AA0102', '100');
    const times = contactTimes(late);
    // 00:00:02 on 02-04 local, not 00:00:02 on 02-03
    expect(times.arrival.toISOString()).toBe('1999-02-03T16:00:02.000Z');
    expect(times.leftQueue.toISOString()).toBe('1999-02-03T16:00:32.000Z');
    expect(times.finished?.toISOString()).toBe('1999-02-03T16:01:32.000Z');
    expect(rowBusinessDay(late)).toBe('1999-02-03');
    expect(rowBusinessDay(byCall(rows, 'AA0102', '102'))).toBe('1999-02-03');
    expect(rowBusinessDay(byCall(rows, 'AA0103', '101'))).toBe('1999-02-04');
  });

  it('issues a never-queued contact at vru_exit and uses ser_time when ser_start is missing', async () => {
    const { rows } = await parseSample();
    const times = contactTimes(byCall(rows, 'AA0102', '101'));
    expect(times.arrival.toISOString()).toBe('1999-02-03T04:00:05.000Z');
    expect(times.leftQueue.toISOString()).toBe('1999-02-03T04:00:05.000Z');
    expect(times.finished?.toISOString()).toBe('1999-02-03T04:00:50.000Z');
  });

  it('finds the business day with the most contacts', async () => {
    const { rows } = await parseSample();
    const busiest = busiestDay(rows);
    expect(busiest.day).toBe('1999-02-03');
    expect(busiest.rows).toHaveLength(6);
    expect(busiest.contactsPerDay.get('1999-02-04')).toBe(1);
    expect(() => busiestDay([])).toThrow();
  });
});

describe('toTrace', () => {
  it('maps types to services, priority 2 to appointments and agents to desks', async () => {
    expect(['PS', 'PE', 'IN', 'NE', 'NW', 'TT', 'ZZ'].map(serviceOfType)).toEqual([
      'maintenance',
      'maintenance',
      'repair',
      'claims',
      'sales',
      'pickup',
      'maintenance',
    ]);
    const { rows } = await parseSample();
    const { day, rows: dayRows } = busiestDay(rows);
    const trace = toTrace(day, dayRows);
    expect(trace).toMatchObject({ day: '1999-02-03', arrivals: 6, served: 4, abandoned: 2, abandonedAtOnce: 1, appointments: 2, servedWithoutAgent: 1 });
    expect(trace.desks.map((d) => d.id)).toEqual(['d-no-server', 'd-s01', 'd-s02']);
    for (const desk of trace.desks) expect(desk.services).toEqual([...BENCH_SERVICES]);
    expect(trace.desks.find((d) => d.id === 'd-s02')?.name).toBe(2);
    expect(trace.demandByService).toEqual({ maintenance: 2, repair: 1, claims: 1, sales: 1, pickup: 1 });
    expect(trace.overflow).toEqual([]);

    const served = ofTicket(trace.actions, 'AA0101/100');
    expect(served.map((a) => a.kind)).toEqual(['arrive', 'call', 'start', 'finish']);
    expect(served[0]).toMatchObject({ service: 'maintenance', priority: 'regular' });
    expect(served.slice(1).every((a) => 'desk' in a && a.desk === 'd-s01')).toBe(true);

    const hang = ofTicket(trace.actions, 'AA0101/101');
    expect(hang.map((a) => a.kind)).toEqual(['arrive', 'abandon']);
    expect(hang[0]).toMatchObject({ service: 'sales', priority: 'appointment' });
    expect(hang[1]?.at.toISOString()).toBe('1999-02-03T03:01:30.000Z');

    const late = ofTicket(trace.actions, 'AA0102/100');
    expect(late[0]).toMatchObject({ service: 'pickup', priority: 'appointment' });
    expect(late.map((a) => a.kind)).toEqual(['arrive', 'call', 'start', 'finish']);
  });

  it('orders actions by time, a ticket always arriving before it is called, started and finished', async () => {
    const { rows } = await parseSample();
    const { day, rows: dayRows } = busiestDay(rows);
    const { actions } = toTrace(day, dayRows);
    for (let i = 1; i < actions.length; i++) {
      expect(actions[i]!.at.getTime()).toBeGreaterThanOrEqual(actions[i - 1]!.at.getTime());
    }
    // The never-queued contact is issued, called and started at the same instant.
    expect(ofTicket(actions, 'AA0102/101').map((a) => a.kind)).toEqual(['arrive', 'call', 'start', 'finish']);
    expect(ofTicket(actions, 'AA0103/100').map((a) => a.kind)).toEqual(['arrive', 'abandon']);
    // The 01:30 contact of the next date is the day's last arrival.
    expect(actions.filter((a) => a.kind === 'arrive').at(-1)?.id).toBe('AA0102/102');
  });

  it('moves arrivals beyond the per-service limit to the other services round-robin', async () => {
    const lines = [HEADER];
    for (let i = 0; i < 7; i++) {
      const minute = String(10 + i).padStart(2, '0');
      lines.push(row('AA0101', String(200 + i), '0', '0', 'PS', '990203', `10:${minute}:00`, `10:${minute}:05`, '5', `10:${minute}:05`, `10:${minute}:35`, '30', 'HANG', '0:00:00', '0:00:00', '0', 'NO_SERVER'));
    }
    const { rows } = await parseAnonbank(lines);
    const trace = toTrace('1999-02-03', rows, 2);
    const services = trace.actions.flatMap((a) => (a.kind === 'arrive' ? [a.service] : []));
    expect(services).toEqual(['maintenance', 'maintenance', 'repair', 'claims', 'sales', 'pickup', 'repair']);
    expect(trace.ticketsByService).toEqual({ maintenance: 2, repair: 2, claims: 1, sales: 1, pickup: 1 });
    expect(trace.overflow).toEqual([
      { from: 'maintenance', to: 'repair', count: 2 },
      { from: 'maintenance', to: 'claims', count: 1 },
      { from: 'maintenance', to: 'sales', count: 1 },
      { from: 'maintenance', to: 'pickup', count: 1 },
    ]);
    expect(() => toTrace('1999-02-03', rows, 1)).toThrow(/more contacts than/);
  });

  it('replays through the real engine with one business day and numbers in arrival order', async () => {
    const { rows } = await parseSample();
    const { day, rows: dayRows } = busiestDay(rows);
    const trace = toTrace(day, dayRows);
    const dir = mkdtempSync(join(tmpdir(), 'forecourt-anonbank-'));
    const db = openDatabase(dir);
    try {
      let now = trace.actions[0]!.at;
      const engine = new QueueEngine({
        store: new SqliteQueueStore(db),
        clock: () => now,
        timeZone: 'Asia/Shanghai',
        services: DEFAULT_SERVICES,
        desks: trace.desks,
        dayStartHour: 4,
      });
      const ids = new Map<string, string>();
      for (const action of trace.actions) {
        now = action.at;
        if (action.kind === 'arrive') ids.set(action.id, engine.issue({ service: action.service, priority: action.priority }).ticket.id);
        else if (action.kind === 'call') engine.callSpecific(action.desk, ids.get(action.id)!);
        else if (action.kind === 'start') engine.startServing(action.desk, ids.get(action.id)!);
        else if (action.kind === 'finish') engine.finish(action.desk, ids.get(action.id)!);
        else engine.cancel(ids.get(action.id)!);
      }
      const tickets = db.prepare('SELECT number, state, business_day AS day FROM queue_ticket ORDER BY issued_at').all();
      expect(tickets).toEqual([
        { number: 'A001', state: 'done', day: '1999-02-03' },
        { number: 'D001', state: 'cancelled', day: '1999-02-03' },
        { number: 'B001', state: 'done', day: '1999-02-03' },
        { number: 'C001', state: 'cancelled', day: '1999-02-03' },
        { number: 'E001', state: 'done', day: '1999-02-03' },
        { number: 'A002', state: 'done', day: '1999-02-03' },
      ]);
      expect(db.prepare('SELECT COUNT(*) FROM queue_event').pluck().get()).toBe(trace.actions.length);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
