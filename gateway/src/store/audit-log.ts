import type { AuditRow } from '../protocol/index.js';
import type { Db } from './database.js';
import { Outbox } from './outbox.js';
import { auditEntry } from '../relay/outbound-events.js';

/** Who acted, in the words of the audit table. */
export interface Actor {
  /** `staff:1001`, `kiosk:kiosk-1`, `gateway` (authorOf). */
  actor: string;
  role: string | null;
  /** The device the action came from (a signed-in staff member's screen, or the device itself). */
  via: string | null;
}

export interface AuditEntry {
  action: string;
  target?: string | null;
  detail?: unknown;
}

/**
 * The audit log. `record` runs a change and writes its row in one SQLite transaction (nested
 * transactions of the stores become savepoints), so an action is never done without its row nor
 * recorded without being done. Rows are events for the DMS relay.
 */
export class AuditLog {
  private readonly insert;
  private readonly inTransaction;

  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
    private readonly outbox = new Outbox(db),
  ) {
    this.insert = db.prepare(
      `INSERT INTO audit (at, actor, role, via, action, target, detail) VALUES (@at, @actor, @role, @via, @action, @target, @detail)`,
    );
    this.inTransaction = db.transaction((fn: () => unknown) => fn());
  }

  /** Runs `change` and records it; `describe` turns its result into the row. A throw writes nothing. */
  record<T>(actor: Actor, change: () => T, describe: (result: T) => AuditEntry): T {
    return this.inTransaction(() => {
      const result = change();
      this.write(actor, describe(result));
      return result;
    }) as T;
  }

  write(actor: Actor, entry: AuditEntry): void {
    const row = { at: this.now().toISOString(), ...actor, action: entry.action, target: entry.target ?? null, detail: entry.detail ?? {} };
    this.inTransaction(() => {
      this.insert.run({ ...row, detail: JSON.stringify(row.detail) });
      const { at, ...data } = row;
      this.outbox.append(auditEntry(at, data));
    });
  }

  list(query: { limit: number; before?: number | undefined; actor?: string | undefined; action?: string | undefined }): AuditRow[] {
    const filters = [
      { sql: 'seq < @before', name: 'before', value: query.before },
      { sql: 'actor = @actor', name: 'actor', value: query.actor },
      { sql: 'action LIKE @action', name: 'action', value: query.action === undefined ? undefined : `${query.action}%` },
    ].filter((f) => f.value !== undefined);
    const where = filters.map((f) => f.sql);
    const params = Object.fromEntries([['limit', query.limit], ...filters.map((f) => [f.name, f.value])]) as Record<string, unknown>;
    const rows = this.db
      .prepare(`SELECT seq, at, actor, role, via, action, target, detail FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT @limit`)
      .all(params) as (Omit<AuditRow, 'detail'> & { detail: string })[];
    return rows.map((r) => ({ ...r, detail: JSON.parse(r.detail) as unknown }));
  }
}

/** The gateway acting on its own (demo traffic, a scanner's command on a technician's behalf is not this). */
export function gatewayActor(via: string): Actor {
  return { actor: 'gateway', role: null, via };
}
