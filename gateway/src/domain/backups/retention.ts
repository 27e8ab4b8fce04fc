import type { BackupKind } from '../../protocol/backups.js';
import { localDate, localWeek } from '../local-time.js';

export interface BackupCopy {
  file: string;
  at: Date;
}

export interface BackupKeep {
  keepDaily: number;
  keepWeekly: number;
}

/**
 * Which copies stay (restic's rule): the newest copy of each of the last `keepDaily` days that
 * have a copy, and the newest of each of the last `keepWeekly` ISO weeks, in the store's time
 * zone; a copy kept by both counts as daily. Everything else may be deleted. A day without a
 * copy (the gateway was off) takes no place, so gaps never cost a good copy.
 */
export function selectBackups(copies: readonly BackupCopy[], keep: BackupKeep, timeZone: string): { kept: Map<string, BackupKind>; drop: string[] } {
  const newestFirst = [...copies].sort((a, b) => b.at.getTime() - a.at.getTime() || b.file.localeCompare(a.file));
  const kept = new Map<string, BackupKind>();
  const pick = (kind: BackupKind, limit: number, period: (at: Date) => string) => {
    const seen = new Set<string>();
    for (const copy of newestFirst) {
      if (seen.size >= limit) break;
      const key = period(copy.at);
      if (seen.has(key)) continue;
      seen.add(key);
      if (!kept.has(copy.file)) kept.set(copy.file, kind);
    }
  };
  pick('daily', keep.keepDaily, (at) => localDate(at, timeZone));
  pick('weekly', keep.keepWeekly, (at) => localWeek(at, timeZone));
  return { kept, drop: newestFirst.filter((c) => !kept.has(c.file)).map((c) => c.file) };
}
