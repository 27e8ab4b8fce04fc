import { performance } from 'node:perf_hooks';
import { DEFAULT_SERVICES, QueueEngine, type TicketEvent } from '../domain/queue/index.js';
import { AuditLog, type Actor } from '../store/audit-log.js';
import type { Db } from '../store/database.js';
import { Outbox, type OutboxEntry } from '../store/outbox.js';
import { SqliteQueueStore } from '../store/queue-store.js';
import { DAY_START_HOUR, TIME_ZONE, type Trace } from './anonbank.js';

/** The outbox with a stopwatch: how long the appends of one command took together. */
class TimedOutbox extends Outbox {
  spentMs = 0;

  override append(entry: OutboxEntry): number {
    const t0 = performance.now();
    const seq = super.append(entry);
    this.spentMs += performance.now() - t0;
    return seq;
  }
}

export interface Backlog {
  days: number;
  commands: number;
  events: number;
  /** Microseconds each command spent writing its outbox rows (the queue event and the audit row). */
  overheadUs: number[];
}

/**
 * Writes a busy store's days into the database the way the gateway does while head office is
 * away: every desk command through the queue engine and the audit log, in one transaction, with
 * its outbox rows. The clock follows the trace.
 */
export function buildBacklog(db: Db, traces: readonly Trace[]): Backlog {
  const outbox = new TimedOutbox(db);
  let now = traces[0]?.actions[0]?.at ?? new Date();
  const audit = new AuditLog(db, () => now, outbox);
  const overheadUs: number[] = [];
  let commands = 0;
  for (const trace of traces) {
    const engine = new QueueEngine({ store: new SqliteQueueStore(db, outbox), clock: () => now, timeZone: TIME_ZONE, services: DEFAULT_SERVICES, desks: trace.desks, dayStartHour: DAY_START_HOUR });
    const tickets = new Map<string, string>();
    const ticketOf = (id: string) => tickets.get(id) ?? '';
    for (const action of trace.actions) {
      now = action.at;
      const actor: Actor = { actor: 'desk' in action ? `staff:desk-${action.desk}` : 'kiosk:kiosk-1', role: 'desk' in action ? 'receptionist' : null, via: 'desk' in action ? `desk-${action.desk}` : 'kiosk-1' };
      outbox.spentMs = 0;
      const event = audit.record(
        actor,
        (): TicketEvent => {
          switch (action.kind) {
            case 'arrive':
              return engine.issue({ service: action.service, priority: action.priority });
            case 'call':
              return engine.callSpecific(action.desk, ticketOf(action.id));
            case 'start':
              return engine.startServing(action.desk, ticketOf(action.id));
            case 'finish':
              return engine.finish(action.desk, ticketOf(action.id));
            case 'abandon':
              return engine.cancel(ticketOf(action.id));
          }
        },
        (e) => ({ action: `queue.${action.kind}`, target: `ticket:${e.ticket.number}`, detail: { event: e.id } }),
      );
      if (action.kind === 'arrive') tickets.set(action.id, event.ticket.id);
      overheadUs.push(outbox.spentMs * 1000);
      commands += 1;
    }
  }
  return { days: traces.length, commands, events: outbox.lastSeq(), overheadUs };
}
