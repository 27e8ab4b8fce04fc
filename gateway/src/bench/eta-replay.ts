/**
 * Replays call-centre contacts of the Anonymous Bank log (anonbank.ts) through the real queue
 * engine on a SQLite file, with the clock set to each action's log time, and records what the
 * wait estimator answered for every ticket at its issue beside the wait the caller really had.
 *
 * Mapping (see ../shared/data/README.md):
 * - A contact that queued is a ticket issued at q_start; one served at once (q_start 0:00:00) is
 *   issued at vru_exit and called straight away: it takes a desk like anyone else. One that hung
 *   up in the voice menu never took a ticket.
 * - Priority 2 is an appointment. The store's anti-starvation is the call centre's own rule:
 *   priority callers got 1.5 minutes of credit, so a regular caller is promoted after 1.5 minutes.
 * - Every agent is a desk serving all five services; which desks are open is left to the
 *   estimator to infer from what they do, as in a store where nobody reports it.
 * - A served contact is called at ser_start by its agent's desk and finished ser_time later. The
 *   agents' clock runs apart from the queue's by a second or so; where ser_start is more than a
 *   minute away from q_start + q_time (inconsistent stamps), the call is at q_start + q_time.
 * - HANG after queueing is a walk-away: the ticket is cancelled at q_exit (q_start + q_time).
 *
 * Each ticket's estimate is scored against q_time when it queued and was served (outcome AGENT).
 * Beside it the baseline: (people waiting ahead + 1) × mean of the last 50 service times ÷ agents
 * busy or seen in the last 30 minutes, where "ahead" is what the call policy puts first over all
 * services (every desk serves every service here).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_SERVICES,
  LearningEstimator,
  QueueEngine,
  situationOf,
  type CallPolicyOptions,
  type DeskConfig,
} from '../domain/queue/index.js';
import type { TicketPriority } from '../protocol/index.js';
import { openDatabase } from '../store/database.js';
import { SqliteQueueStore } from '../store/queue-store.js';
import {
  BENCH_SERVICES,
  DAY_START_HOUR,
  TIME_ZONE,
  contactTimes,
  deskOfServer,
  instant,
  queued,
  rowBusinessDay,
  serviceOfType,
  type AnonbankRow,
  type BenchService,
} from './anonbank.js';

/** The call centre's 1.5 minutes of credit for priority callers, as the store's promotion rule. */
export const REPLAY_POLICY: CallPolicyOptions = { maxWaitBeforePromotionMin: 1.5 };

/**
 * Minutes per call by service before the estimator has learnt any: the mean talk times of the
 * first three weeks of February 1999, rounded, as an installer would configure a store's.
 */
export const REPLAY_SERVICE_MINUTES: Readonly<Record<BenchService, number>> = {
  maintenance: 3,
  repair: 4.5,
  claims: 4.5,
  sales: 2,
  pickup: 2,
};

const BASELINE_SERVICE_TIMES = 50;
const BASELINE_SEEN_MS = 30 * 60_000;
const STAMP_TOLERANCE_MS = 60_000;

/** One scored ticket: the log's real wait, the estimator's answer at issue, and the baseline's. */
export interface ScoredTicket {
  day: string;
  /** The log's service type (PS, NE, …) and the store service it maps to. */
  type: string;
  service: BenchService;
  priority: TicketPriority;
  /** Hour of the issue on the log's clock. */
  hour: number;
  realS: number;
  estimateS: number;
  lowS: number;
  highS: number;
  baselineS: number;
}

type Action =
  | { at: number; order: 0; kind: 'issue'; key: number; row: AnonbankRow; priority: TicketPriority; scored: boolean }
  | { at: number; order: 1; kind: 'call'; key: number; desk: string }
  | { at: number; order: 2; kind: 'finish'; key: number; desk: string }
  | { at: number; order: 2; kind: 'cancel'; key: number };

/** The contacts as timed engine actions, a ticket's own always in lifecycle order. */
function actionsOf(rows: readonly AnonbankRow[]): Action[] {
  const actions: Action[] = [];
  rows.forEach((row, key) => {
    if (!queued(row)) return;
    const times = contactTimes(row);
    const issuedAt = times.arrival.getTime();
    const priority: TicketPriority = row.priority === 2 ? 'appointment' : 'regular';
    actions.push({ at: issuedAt, order: 0, kind: 'issue', key, row, priority, scored: row.outcome === 'AGENT' });
    const leftAt = times.leftQueue.getTime();
    if (row.outcome === 'HANG') {
      actions.push({ at: leftAt, order: 2, kind: 'cancel', key });
      return;
    }
    const serStart = row.ser_start === 0 ? NaN : instant(row, row.ser_start).getTime();
    const calledAt = Math.abs(serStart - leftAt) <= STAMP_TOLERANCE_MS ? Math.max(issuedAt, serStart) : leftAt;
    const desk = deskOfServer(row.server);
    actions.push({ at: calledAt, order: 1, kind: 'call', key, desk });
    actions.push({ at: calledAt + row.ser_time * 1000, order: 2, kind: 'finish', key, desk });
  });
  // Stable: equal instants keep lifecycle order within a ticket and file order across tickets.
  return actions.sort((a, b) => a.at - b.at || a.order - b.order);
}

/** Every agent of the rows as a desk serving every service. */
export function replayDesks(rows: readonly AnonbankRow[]): DeskConfig[] {
  const servers = [...new Set(rows.filter((r) => r.outcome === 'AGENT').map((r) => r.server))].sort();
  const desks = servers.map((server, i) => ({ id: deskOfServer(server), name: i + 1, services: [...BENCH_SERVICES] }));
  return desks.length > 0 ? desks : [{ id: 'd-none', name: 1, services: [...BENCH_SERVICES] }];
}

/** What the baseline knows: recent service times and when each agent was last seen. */
class BaselineState {
  private readonly serviceMs: number[] = [];
  private readonly seen = new Map<string, number>();
  private readonly busy = new Map<string, number>();

  called(desk: string, at: number): void {
    this.seen.set(desk, at);
    this.busy.set(desk, (this.busy.get(desk) ?? 0) + 1);
  }

  finished(desk: string, at: number, serviceMs: number): void {
    this.seen.set(desk, at);
    this.busy.set(desk, Math.max(0, (this.busy.get(desk) ?? 1) - 1));
    this.serviceMs.push(serviceMs);
    if (this.serviceMs.length > BASELINE_SERVICE_TIMES) this.serviceMs.shift();
  }

  waitS(ahead: number, now: number, service: BenchService): number {
    const meanMs =
      this.serviceMs.length === 0
        ? REPLAY_SERVICE_MINUTES[service] * 60_000
        : this.serviceMs.reduce((sum, ms) => sum + ms, 0) / this.serviceMs.length;
    let agents = 0;
    for (const [desk, at] of this.seen) if ((this.busy.get(desk) ?? 0) > 0 || now - at <= BASELINE_SEEN_MS) agents += 1;
    return ((ahead + 1) * meanMs) / Math.max(1, agents) / 1000;
  }
}

/**
 * Replays `rows` (one or more business days of the log) through a fresh engine and estimator:
 * the estimator starts cold, from REPLAY_SERVICE_MINUTES, at the first contact.
 */
export function replayEta(rows: readonly AnonbankRow[]): ScoredTicket[] {
  const dir = mkdtempSync(join(tmpdir(), 'forecourt-eta-'));
  const db = openDatabase(dir);
  try {
    const desks = replayDesks(rows);
    let now = 0;
    const store = new SqliteQueueStore(db);
    const estimator = new LearningEstimator({ desks, policy: REPLAY_POLICY, serviceMinutes: REPLAY_SERVICE_MINUTES });
    const engine = new QueueEngine({
      store,
      clock: () => new Date(now),
      timeZone: TIME_ZONE,
      services: DEFAULT_SERVICES,
      desks,
      dayStartHour: DAY_START_HOUR,
      policy: REPLAY_POLICY,
      estimator,
    });
    const baseline = new BaselineState();
    const tickets = new Map<number, { id: string; calledAt: number }>();
    const scored: ScoredTicket[] = [];
    const ticketOf = (key: number) => {
      const ticket = tickets.get(key);
      if (!ticket) throw new Error(`contact ${key} acted on before its ticket`);
      return ticket;
    };

    for (const action of actionsOf(rows)) {
      now = action.at;
      switch (action.kind) {
        case 'issue': {
          const service = serviceOfType(action.row.type);
          const { ticket } = engine.issue({ service, priority: action.priority });
          tickets.set(action.key, { id: ticket.id, calledAt: NaN });
          if (!action.scored) break;
          const { estimate } = engine.ticketStatus(ticket.id);
          const waiting = store.ticketsOfDay(ticket.businessDay, ['waiting']);
          const ahead = situationOf(ticket, waiting, desks, new Date(now), REPLAY_POLICY).ahead.length;
          scored.push({
            day: rowBusinessDay(action.row),
            type: action.row.type,
            service,
            priority: action.priority,
            hour: Math.floor(action.row.q_start / 3600),
            realS: action.row.q_time,
            estimateS: estimate.minutes * 60,
            lowS: estimate.low * 60,
            highS: estimate.high * 60,
            baselineS: baseline.waitS(ahead, now, service),
          });
          break;
        }
        case 'call': {
          const ticket = ticketOf(action.key);
          engine.callSpecific(action.desk, ticket.id);
          ticket.calledAt = now;
          baseline.called(action.desk, now);
          break;
        }
        case 'finish': {
          const ticket = ticketOf(action.key);
          engine.finish(action.desk, ticket.id);
          baseline.finished(action.desk, now, now - ticket.calledAt);
          break;
        }
        case 'cancel':
          engine.cancel(ticketOf(action.key).id);
          break;
      }
    }
    return scored;
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
