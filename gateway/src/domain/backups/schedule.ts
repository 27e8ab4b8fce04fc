import { instantOf, localParts } from '../local-time.js';

const DAY_MS = 86_400_000;

/** The next time after `now` that the store's clock shows `hour`:00. */
export function nextBackupAt(now: Date, hour: number, timeZone: string): Date {
  const today = localParts(now, timeZone);
  for (let days = 0; ; days++) {
    // Calendar days, not 24-hour steps, so a daylight-saving change cannot move the hour.
    const date = new Date(Date.UTC(today.year, today.month - 1, today.day + days));
    const at = instantOf(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), hour, timeZone);
    if (at.getTime() > now.getTime()) return at;
  }
}

/**
 * A backup is owed at start when the newest good copy is more than a day old (or there is
 * none): the gateway was off at the backup hour, or the last ones failed.
 */
export function backupOverdue(newestGoodAt: Date | undefined, now: Date): boolean {
  return newestGoodAt === undefined || now.getTime() - newestGoodAt.getTime() > DAY_MS;
}
