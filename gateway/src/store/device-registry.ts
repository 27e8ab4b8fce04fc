import type { DeviceState } from '../protocol/index.js';
import type { Db } from './database.js';

export interface DeviceRecord extends DeviceState {
  id: string;
}

/** Last known state of every device that has ever spoken, kept across restarts. */
export class DeviceRegistry {
  private readonly upsertStmt;
  private readonly listStmt;

  constructor(db: Db) {
    this.upsertStmt = db.prepare(
      `INSERT INTO device (id, kind, online, health, reason, last_seen)
       VALUES (@id, @kind, @online, @health, @reason, @at)
       ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, online = excluded.online,
         health = excluded.health, reason = excluded.reason, last_seen = excluded.last_seen`,
    );
    this.listStmt = db.prepare('SELECT id, kind, online, health, reason, last_seen AS at FROM device ORDER BY id');
  }

  record(id: string, state: DeviceState): void {
    this.upsertStmt.run({ id, ...state, online: state.online ? 1 : 0, reason: state.reason ?? null });
  }

  list(): DeviceRecord[] {
    return (this.listStmt.all() as (Omit<DeviceRecord, 'online' | 'reason'> & { online: number; reason: string | null })[]).map(
      (row) => ({ ...row, online: row.online === 1, reason: row.reason ?? undefined }),
    );
  }
}
