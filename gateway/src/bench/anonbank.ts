/**
 * The Technion "Anonymous Bank" call-centre log (Guedj & Mandelbaum, Technion Service
 * Enterprise Engineering lab) as load for the queue engine: a streaming parser for its TSV,
 * the busiest business day, and the mapping of that day to a replay trace of queue actions.
 *
 * Mapping to a store (see ../shared/data/README.md):
 * - A contact is a ticket, issued at q_start, or at vru_exit for a contact that never queued.
 * - The wait is q_time (the menu and agent clocks differ by a second or so, and ser_start is
 *   missing on a few served rows), so a served ticket is called at arrival + q_time by its
 *   agent's desk, starts right then and finishes ser_time later. A HANG ticket is cancelled at
 *   arrival + q_time (= q_exit); one that hung up in the voice menu is cancelled at once.
 * - type PS/PE → maintenance, IN → repair, NE → claims, NW → sales, TT → pickup, other → maintenance.
 * - priority 2 → appointment, else regular; agent S07 → desk d-s07 serving all five services.
 * - Times are Asia/Shanghai wall-clock times on the row's date; a stamp earlier than vru_entry
 *   by more than 12 hours passed midnight. Business days start at 04:00, so the night after a
 *   log day stays in that day.
 * - The engine numbers any count of tickets (past A999 numbers take a fourth digit); a caller
 *   that caps a service's tickets per day moves arrivals beyond it to the other services
 *   round-robin (reported in the trace).
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { businessDay, type DeskConfig } from '../domain/queue/index.js';
import type { TicketPriority } from '../protocol/index.js';

export const SOURCE_ACKNOWLEDGEMENT =
  'Data: "Anonymous Bank" call-centre log, Feb 1999, Technion Service Enterprise Engineering lab (Guedj & Mandelbaum), used with acknowledgement.';

export const ANONBANK_COLUMNS = [
  'vru+line',
  'call_id',
  'customer_id',
  'priority',
  'type',
  'date',
  'vru_entry',
  'vru_exit',
  'vru_time',
  'q_start',
  'q_exit',
  'q_time',
  'outcome',
  'ser_start',
  'ser_exit',
  'ser_time',
  'server',
] as const;

export const TIME_ZONE = 'Asia/Shanghai';
/** Asia/Shanghai has kept UTC+8 without daylight saving since 1991. */
const UTC_OFFSET_MS = 8 * 3_600_000;
export const DAY_START_HOUR = 4;

export const BENCH_SERVICES = ['maintenance', 'repair', 'claims', 'sales', 'pickup'] as const;
export type BenchService = (typeof BENCH_SERVICES)[number];

const SERVICE_OF_TYPE: Record<string, BenchService> = {
  PS: 'maintenance',
  PE: 'maintenance',
  IN: 'repair',
  NE: 'claims',
  NW: 'sales',
  TT: 'pickup',
};

export function serviceOfType(type: string): BenchService {
  return SERVICE_OF_TYPE[type] ?? 'maintenance';
}

/** H:MM:SS → seconds since midnight. */
const Clock = z
  .string()
  .regex(/^\d{1,2}:[0-5]\d:[0-5]\d$/, 'H:MM:SS')
  .transform((s) => s.split(':').map(Number) as [number, number, number])
  .refine(([h]) => h <= 23, 'hour 0-23')
  .transform(([h, m, s]) => h * 3600 + m * 60 + s);

const Seconds = z
  .string()
  .regex(/^\d{1,6}$/, 'whole seconds')
  .transform(Number);

/** YYMMDD → 'YYYY-MM-DD', a real calendar date. */
const LogDate = z
  .string()
  .regex(/^\d{6}$/, 'YYMMDD')
  .transform((s) => {
    const yy = Number(s.slice(0, 2));
    return { year: yy < 70 ? 2000 + yy : 1900 + yy, month: Number(s.slice(2, 4)), day: Number(s.slice(4, 6)) };
  })
  .refine(({ year, month, day }) => {
    const d = new Date(Date.UTC(year, month - 1, day));
    return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
  }, 'not a calendar date')
  .transform(({ year, month, day }) => `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`);

const Code = z.string().regex(/^[A-Za-z0-9_]{1,32}$/);

/** One contact of the log, as read; PHANTOM rows never get here. */
export const AnonbankRow = z.object({
  'vru+line': Code,
  call_id: z.string().regex(/^\d{1,12}$/),
  customer_id: z.string().min(1).max(32),
  priority: z.enum(['0', '1', '2']).transform(Number),
  type: Code,
  date: LogDate,
  vru_entry: Clock,
  vru_exit: Clock,
  // Not used: the menu clock runs a little apart, and a few rows have vru_exit before vru_entry.
  vru_time: z.string().regex(/^-?\d{1,6}$/, 'whole seconds').transform(Number),
  q_start: Clock,
  q_exit: Clock,
  q_time: Seconds,
  outcome: z.enum(['AGENT', 'HANG']),
  ser_start: Clock,
  ser_exit: Clock,
  ser_time: Seconds,
  server: Code,
});
export type AnonbankRow = z.infer<typeof AnonbankRow>;

export interface MalformedRow {
  /** 1-based line number in the file. */
  line: number;
  reason: string;
}

export interface ParseResult {
  rows: AnonbankRow[];
  phantom: number;
  malformed: number;
  /** The first few malformed rows, for the report. */
  malformedExamples: MalformedRow[];
}

/**
 * Parses the log line by line (header first). PHANTOM and malformed rows are skipped and
 * counted; a wrong header throws, since then every row would be misread.
 */
export async function parseAnonbank(lines: AsyncIterable<string> | Iterable<string>): Promise<ParseResult> {
  const result: ParseResult = { rows: [], phantom: 0, malformed: 0, malformedExamples: [] };
  let lineNo = 0;
  for await (const raw of lines) {
    lineNo += 1;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (lineNo === 1) {
      if (line !== ANONBANK_COLUMNS.join('\t')) {
        throw new Error(`not the Anonymous Bank log: header is "${line.slice(0, 80)}"`);
      }
      continue;
    }
    if (line.trim() === '') continue;
    const fields = line.split('\t');
    if (fields[12] === 'PHANTOM') {
      result.phantom += 1;
      continue;
    }
    const fail = (reason: string) => {
      result.malformed += 1;
      if (result.malformedExamples.length < 5) result.malformedExamples.push({ line: lineNo, reason });
    };
    if (fields.length !== ANONBANK_COLUMNS.length) {
      fail(`${fields.length} columns, expected ${ANONBANK_COLUMNS.length}`);
      continue;
    }
    const parsed = AnonbankRow.safeParse(Object.fromEntries(ANONBANK_COLUMNS.map((c, i) => [c, fields[i]])));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      fail(`${issue?.path.join('.') ?? '?'}: ${issue?.message ?? 'invalid'}`);
      continue;
    }
    result.rows.push(parsed.data);
  }
  return result;
}

/** Streams the log file through parseAnonbank. */
export async function readAnonbankFile(file: string): Promise<ParseResult> {
  const input = createReadStream(file, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity });
  try {
    return await parseAnonbank(lines);
  } finally {
    lines.close();
    input.destroy();
  }
}

/**
 * Instant of a clock reading on the row's date. A reading more than 12 hours before vru_entry
 * passed midnight (the next day); one more than 12 hours after it is from just before midnight.
 */
export function instant(row: AnonbankRow, secondsOfDay: number): Date {
  const [y, m, d] = row.date.split('-').map(Number) as [number, number, number];
  const half = 12 * 3600;
  const rolled =
    secondsOfDay < row.vru_entry - half ? secondsOfDay + 86_400 : secondsOfDay > row.vru_entry + half ? secondsOfDay - 86_400 : secondsOfDay;
  return new Date(Date.UTC(y, m - 1, d) + rolled * 1000 - UTC_OFFSET_MS);
}

/** True when the contact joined the queue; 0:00:00 marks one that never did. */
export function queued(row: AnonbankRow): boolean {
  return row.q_start !== 0;
}

export interface ContactTimes {
  /** Ticket issued. */
  arrival: Date;
  /** Called (AGENT) or cancelled (HANG): arrival + q_time. */
  leftQueue: Date;
  /** AGENT only: end of service, leftQueue + ser_time. */
  finished: Date | null;
}

export function contactTimes(row: AnonbankRow): ContactTimes {
  const arrival = instant(row, queued(row) ? row.q_start : row.vru_exit);
  const leftQueue = new Date(arrival.getTime() + row.q_time * 1000);
  const finished = row.outcome === 'AGENT' ? new Date(leftQueue.getTime() + row.ser_time * 1000) : null;
  return { arrival, leftQueue, finished };
}

/** The business day (04:00 to 04:00 Asia/Shanghai) a contact's ticket belongs to. */
export function rowBusinessDay(row: AnonbankRow): string {
  return businessDay(contactTimes(row).arrival, TIME_ZONE, DAY_START_HOUR);
}

function rowsByDay(rows: readonly AnonbankRow[]): Map<string, AnonbankRow[]> {
  const byDay = new Map<string, AnonbankRow[]>();
  for (const row of rows) {
    const day = rowBusinessDay(row);
    let list = byDay.get(day);
    if (!list) byDay.set(day, (list = []));
    list.push(row);
  }
  return byDay;
}

/** The business day with the most contacts (the earliest on a tie), and its rows in file order. */
export function busiestDay(rows: readonly AnonbankRow[]): { day: string; rows: AnonbankRow[]; contactsPerDay: Map<string, number> } {
  const byDay = rowsByDay(rows);
  const [best] = busiestDays(rows, 1, byDay);
  if (!best) throw new Error('no usable rows in the log');
  return { ...best, contactsPerDay: new Map([...byDay].map(([day, list]) => [day, list.length])) };
}

/** The `count` days with the most contacts (the earliest on a tie), in date order. */
export function busiestDays(rows: readonly AnonbankRow[], count: number, byDay = rowsByDay(rows)): { day: string; rows: AnonbankRow[] }[] {
  return [...byDay]
    .sort(([dayA, a], [dayB, b]) => b.length - a.length || dayA.localeCompare(dayB))
    .slice(0, count)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([day, list]) => ({ day, rows: list }));
}

export type TraceAction =
  | { at: Date; kind: 'arrive'; id: string; service: BenchService; priority: TicketPriority }
  | { at: Date; kind: 'call'; id: string; desk: string }
  | { at: Date; kind: 'start'; id: string; desk: string }
  | { at: Date; kind: 'finish'; id: string; desk: string }
  | { at: Date; kind: 'abandon'; id: string };

export interface Overflow {
  from: BenchService;
  to: BenchService;
  count: number;
}

export interface Trace {
  /** Business day replayed. */
  day: string;
  actions: TraceAction[];
  desks: DeskConfig[];
  arrivals: number;
  served: number;
  abandoned: number;
  /** Abandoned contacts that hung up in the voice menu: issued and cancelled at the same instant. */
  abandonedAtOnce: number;
  appointments: number;
  /** Served contacts without an agent code (NO_SERVER): served at desk d-no-server. */
  servedWithoutAgent: number;
  /** Arrivals of the day per service as in the log, before moving any overflow. */
  demandByService: Record<BenchService, number>;
  /** Tickets issued per service after moving the overflow. */
  ticketsByService: Record<BenchService, number>;
  overflow: Overflow[];
}

/** Desk id of an agent code: S07 → d-s07, NO_SERVER → d-no-server. */
export function deskOfServer(server: string): string {
  return `d-${server.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '')}`.slice(0, 32);
}

const KIND_ORDER: Record<TraceAction['kind'], number> = { arrive: 0, call: 1, start: 2, finish: 3, abandon: 3 };

function zeroByService(): Record<BenchService, number> {
  return { maintenance: 0, repair: 0, claims: 0, sales: 0, pickup: 0 };
}

/**
 * The replay of one day's contacts: actions in time order (a ticket's own actions always in
 * lifecycle order, as its stamps never decrease), the desks its agents need, and what was done
 * to fit the engine's limits.
 */
export function toTrace(day: string, rows: readonly AnonbankRow[], maxPerService = Number.POSITIVE_INFINITY): Trace {
  const contacts = rows
    .map((row) => ({ row, times: contactTimes(row), id: `${row['vru+line']}/${row.call_id}` }))
    .sort((a, b) => a.times.arrival.getTime() - b.times.arrival.getTime());
  const demandByService = zeroByService();
  const ticketsByService = zeroByService();
  const overflow = new Map<string, Overflow>();
  let roundRobin = 0;
  const servers = new Set<string>();
  const actions: TraceAction[] = [];
  const trace = { arrivals: 0, served: 0, abandoned: 0, abandonedAtOnce: 0, appointments: 0, servedWithoutAgent: 0 };

  for (const { row, times, id } of contacts) {
    const wanted = serviceOfType(row.type);
    demandByService[wanted] += 1;
    let service: BenchService = wanted;
    if (ticketsByService[wanted] >= maxPerService) {
      const others = BENCH_SERVICES.filter((s) => s !== wanted && ticketsByService[s] < maxPerService);
      const target = others[roundRobin % Math.max(1, others.length)];
      if (!target) throw new Error(`day ${day} has more contacts than ${BENCH_SERVICES.length} × ${maxPerService} ticket numbers`);
      roundRobin += 1;
      service = target;
      const key = `${wanted}>${target}`;
      const entry = overflow.get(key) ?? { from: wanted, to: target, count: 0 };
      entry.count += 1;
      overflow.set(key, entry);
    }
    ticketsByService[service] += 1;
    const priority: TicketPriority = row.priority === 2 ? 'appointment' : 'regular';
    if (priority === 'appointment') trace.appointments += 1;
    trace.arrivals += 1;
    actions.push({ at: times.arrival, kind: 'arrive', id, service, priority });
    if (row.outcome === 'HANG' || !times.finished) {
      trace.abandoned += 1;
      if (!queued(row) && row.q_time === 0) trace.abandonedAtOnce += 1;
      actions.push({ at: times.leftQueue, kind: 'abandon', id });
      continue;
    }
    trace.served += 1;
    if (row.server === 'NO_SERVER') trace.servedWithoutAgent += 1;
    const desk = deskOfServer(row.server);
    servers.add(row.server);
    actions.push({ at: times.leftQueue, kind: 'call', id, desk });
    actions.push({ at: times.leftQueue, kind: 'start', id, desk });
    actions.push({ at: times.finished, kind: 'finish', id, desk });
  }

  // Stable sort: equal instants keep lifecycle order within a ticket and arrival order across tickets.
  actions.sort((a, b) => a.at.getTime() - b.at.getTime() || KIND_ORDER[a.kind] - KIND_ORDER[b.kind]);

  const desks: DeskConfig[] = [...servers].sort().map((server) => {
    const digits = /^S(\d+)$/.exec(server)?.[1];
    const n = digits === undefined ? 0 : Number(digits);
    return {
      id: deskOfServer(server),
      name: n > 0 ? n : { 'zh-Hans': `坐席 ${server}`, 'zh-Hant': `坐席 ${server}`, en: `Agent ${server}` },
      services: [...BENCH_SERVICES],
    };
  });
  // The engine needs at least one desk per service, even on a day nobody was served.
  if (desks.length === 0) desks.push({ id: 'd-none', name: 99, services: [...BENCH_SERVICES] });

  return { day, actions, desks, ...trace, demandByService, ticketsByService, overflow: [...overflow.values()] };
}
