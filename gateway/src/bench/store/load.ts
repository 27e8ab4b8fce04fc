/**
 * What `bench:store` plays: the busiest hour of the Anonymous Bank log (anonbank.ts), sped up,
 * as the store's tickets, plus the store's other traffic, which the log does not have, at the
 * same multiple of a busy hour. Pure description; the clients that act it out are in people.ts.
 *
 * Tickets: every contact of the busiest clock hour (by arrival) is one ticket, arriving at its
 * log time divided by the speed-up. Even call ids take their ticket at a kiosk, odd ones at a
 * dispenser button (the button of its service); both spread over the kiosks and dispensers by
 * call id. A contact that hung up (HANG) is cancelled by the desk at arrival + q_time if nobody
 * called it yet; a served one stays at the desk for ser_time (both divided by the speed-up).
 * Which desk calls whom is the desks' policy (people.ts), not the log's agents.
 *
 * Other traffic, per hour of store time before the speed-up (bus-mix.ts BUSY_HOUR's large store):
 * 180 member-card taps on the two readers, 10 job card + action scan pairs per bay, and 100
 * workshop stage commands from the desk. Poisson arrivals, seeded.
 */
import { rng } from '../../demo/demo-members.js';
import { contactTimes, serviceOfType, type AnonbankRow, type BenchService } from '../anonbank.js';

export const TAPS_PER_HOUR = 180;
export const SCAN_PAIRS_PER_BAY_HOUR = 10;
export const STAGE_MOVES_PER_HOUR = 100;

/** Dispenser buttons, as the store's dispensers are set up (config.ts). */
export const BUTTON_OF_SERVICE: Record<BenchService, number> = { maintenance: 1, repair: 2, claims: 3, sales: 4, pickup: 5 };

export type Channel = { kind: 'kiosk'; index: number } | { kind: 'dispenser'; index: number };

export interface Arrival {
  /** Ms after the start of the run. */
  at: number;
  contact: string;
  service: BenchService;
  channel: Channel;
  /** How long the customer stays at the desk once called, ms. */
  serviceMs: number;
  /** For a contact that hung up: when it leaves the queue unless called before, ms after the start. */
  abandonAt?: number;
}

export interface StoreLoad {
  /** The hour replayed (its start, UTC) and its contacts. */
  hour: Date;
  contacts: number;
  speedup: number;
  /** The seed its random times came from (the people draw theirs from it too). */
  seed: number;
  /** How long the run lasts, ms (the hour sped up, capped by --minutes). */
  durationMs: number;
  arrivals: Arrival[];
  /** Per reader (0: the kiosk's, 1: the desk's), the tap times in ms. */
  taps: number[][];
  /** Per bay, the times of its job card + action pairs. */
  scans: number[][];
  stageMoves: number[];
}

/** The clock hour with the most arrivals (the earliest on a tie), and its contacts. */
export function busiestHour(rows: readonly AnonbankRow[]): { hour: Date; rows: AnonbankRow[] } {
  const byHour = new Map<number, AnonbankRow[]>();
  for (const row of rows) {
    const hour = Math.floor(contactTimes(row).arrival.getTime() / 3_600_000);
    const list = byHour.get(hour) ?? [];
    list.push(row);
    byHour.set(hour, list);
  }
  const [best] = [...byHour].sort(([a, ra], [b, rb]) => rb.length - ra.length || a - b);
  if (!best) throw new Error('no usable rows in the log');
  return { hour: new Date(best[0] * 3_600_000), rows: best[1] };
}

/**
 * Poisson arrivals at `perHour` (store time) over `durationMs` of the sped-up run; at least one,
 * so that even a very short run has every figure.
 */
function poisson(random: () => number, perHour: number, speedup: number, durationMs: number): number[] {
  const meanGapMs = 3_600_000 / (perHour * speedup);
  const times: number[] = [];
  for (let t = -Math.log(1 - random()) * meanGapMs; t < durationMs; t += -Math.log(1 - random()) * meanGapMs) times.push(t);
  return times.length > 0 ? times : [random() * durationMs];
}

export function storeLoad(
  rows: readonly AnonbankRow[],
  opts: { speedup: number; maxMs: number; kiosks: number; dispensers: number; bays: number; seed: number },
): StoreLoad {
  const { hour, rows: contacts } = busiestHour(rows);
  const durationMs = Math.min(3_600_000 / opts.speedup, opts.maxMs);
  const arrivals: Arrival[] = [];
  for (const row of contacts) {
    const times = contactTimes(row);
    const at = (times.arrival.getTime() - hour.getTime()) / opts.speedup;
    if (at >= durationMs) continue;
    const id = Number(row.call_id);
    const channel: Channel = id % 2 === 0 ? { kind: 'kiosk', index: Math.floor(id / 2) % opts.kiosks } : { kind: 'dispenser', index: Math.floor(id / 2) % opts.dispensers };
    const hungUp = row.outcome === 'HANG';
    arrivals.push({
      at,
      contact: `${row['vru+line']}/${row.call_id}`,
      service: serviceOfType(row.type),
      channel,
      serviceMs: (row.ser_time * 1000) / opts.speedup,
      ...(hungUp ? { abandonAt: at + (row.q_time * 1000) / opts.speedup } : {}),
    });
  }
  arrivals.sort((a, b) => a.at - b.at);
  const random = rng(opts.seed);
  return {
    hour,
    contacts: contacts.length,
    speedup: opts.speedup,
    seed: opts.seed,
    durationMs,
    arrivals,
    taps: [0, 1].map(() => poisson(random, TAPS_PER_HOUR / 2, opts.speedup, durationMs)),
    scans: Array.from({ length: opts.bays }, () => poisson(random, SCAN_PAIRS_PER_BAY_HOUR, opts.speedup, durationMs)),
    stageMoves: poisson(random, STAGE_MOVES_PER_HOUR, opts.speedup, durationMs),
  };
}
