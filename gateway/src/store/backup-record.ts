import { BackupLast } from '../protocol/backups.js';
import type { Db } from './database.js';

const KEY = 'backup.last';

/**
 * The last backup tried, in the database's `meta` table, so a failure is still shown after a
 * restart. (A restored database brings the record of its own time; the next backup replaces it.)
 */
export class BackupRecord {
  private readonly get;
  private readonly put;

  constructor(db: Db) {
    this.get = db.prepare('SELECT value FROM meta WHERE key = ?').pluck();
    this.put = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  }

  /** The stored record; one that no longer parses (written by another version) counts as none. */
  last(): BackupLast | null {
    const value = this.get.get(KEY) as string | undefined;
    if (value === undefined) return null;
    try {
      const parsed = BackupLast.safeParse(JSON.parse(value));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }

  write(last: BackupLast): void {
    this.put.run(KEY, JSON.stringify(BackupLast.parse(last)));
  }
}
