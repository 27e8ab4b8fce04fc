import type { DeviceState } from '../protocol/index.js';
import type { Db } from './database.js';

export interface DeviceRecord extends DeviceState {
  id: string;
}

/**
 * How stale a device's `last seen` may get while its state stays the same. Devices publish their
 * state on every (re)connect and change; each write is a commit with an fsync, on the broker's
 * delivery path, so a state that only repeats itself is written at most once a minute.
 */
export const REPEAT_WRITE_MS = 60_000;

/** Last known state of every device that has ever spoken, kept across restarts. */
export class DeviceRegistry {
  private readonly upsertStmt;
  private readonly listStmt;
  /** What was last written per device: its state without the time, and when. */
  private readonly written = new Map<string, { state: string; atMs: number }>();

  constructor(db: Db) {
    this.upsertStmt = db.prepare(
      `INSERT INTO device (id, kind, online, health, reason, last_seen)
       VALUES (@id, @kind, @online, @health, @reason, @at)
       ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, online = excluded.online,
         health = excluded.health, reason = excluded.reason, last_seen = excluded.last_seen`,
    );
    this.listStmt = db.prepare('SELECT id, kind, online, health, reason, last_seen AS at FROM device ORDER BY id');
  }

  /** Writes a device's state unless only its time moved, by less than REPEAT_WRITE_MS; true if written. */
  record(id: string, state: DeviceState): boolean {
    const { at, ...rest } = state;
    const key = JSON.stringify([rest.kind, rest.online, rest.health, rest.reason ?? null]);
    const atMs = Date.parse(at);
    const last = this.written.get(id);
    if (last && last.state === key && atMs >= last.atMs && atMs - last.atMs < REPEAT_WRITE_MS) return false;
    this.upsertStmt.run({ id, ...state, online: state.online ? 1 : 0, reason: state.reason ?? null });
    this.written.set(id, { state: key, atMs });
    return true;
  }

  list(): DeviceRecord[] {
    return (this.listStmt.all() as (Omit<DeviceRecord, 'online' | 'reason'> & { online: number; reason: string | null })[]).map(
      (row) => ({ ...row, online: row.online === 1, reason: row.reason ?? undefined }),
    );
  }
}
