import { describe, expect, it } from 'vitest';
import { backupOverdue, nextBackupAt } from '../../../gateway/src/domain/backups/schedule.js';
import { localWeek } from '../../../gateway/src/domain/local-time.js';
import { backupFileName, backupTimeOf } from '../../../gateway/src/store/backup.js';

describe('backup schedule', () => {
  it('is the next 03:00 of the store clock', () => {
    expect(nextBackupAt(new Date('2026-12-01T12:00:00+08:00'), 3, 'Asia/Shanghai').toISOString()).toBe('2026-12-01T19:00:00.000Z');
    expect(nextBackupAt(new Date('2026-12-02T02:59:59+08:00'), 3, 'Asia/Shanghai').toISOString()).toBe('2026-12-01T19:00:00.000Z');
    // At 03:00 exactly the backup of this day is running: the next is tomorrow's.
    expect(nextBackupAt(new Date('2026-12-02T03:00:00+08:00'), 3, 'Asia/Shanghai').toISOString()).toBe('2026-12-02T19:00:00.000Z');
    expect(nextBackupAt(new Date('2026-12-31T23:30:00+08:00'), 0, 'Asia/Shanghai').toISOString()).toBe('2026-12-31T16:00:00.000Z');
  });

  it('follows daylight saving: 03:00 local on both sides of a change', () => {
    // Europe/Berlin leaves summer time on 2026-10-25 (03:00 CEST → 02:00 CET).
    expect(nextBackupAt(new Date('2026-10-24T12:00:00+02:00'), 3, 'Europe/Berlin').toISOString()).toBe('2026-10-25T02:00:00.000Z');
    expect(nextBackupAt(new Date('2026-10-25T12:00:00+01:00'), 3, 'Europe/Berlin').toISOString()).toBe('2026-10-26T02:00:00.000Z');
    // And enters it on 2026-03-29, when 02:00 does not exist: it runs at 03:00 CEST.
    expect(nextBackupAt(new Date('2026-03-28T12:00:00+01:00'), 2, 'Europe/Berlin').toISOString()).toBe('2026-03-29T01:00:00.000Z');
  });

  it('owes a backup at start when the newest good copy is more than a day old, or there is none', () => {
    const now = new Date('2026-12-02T09:00:00+08:00');
    expect(backupOverdue(undefined, now)).toBe(true);
    expect(backupOverdue(new Date('2026-12-01T03:00:00+08:00'), now)).toBe(true);
    expect(backupOverdue(new Date('2026-12-02T03:00:00+08:00'), now)).toBe(false);
    expect(backupOverdue(new Date('2026-12-01T09:00:00+08:00'), now)).toBe(false);
  });

  it('names files by the store clock with its offset, and reads the instant back', () => {
    const at = new Date('2026-12-01T19:00:05Z');
    expect(backupFileName(at, 'Asia/Shanghai')).toBe('forecourt-2026-12-02T030005+0800.sqlite');
    expect(backupFileName(at, 'America/St_Johns')).toBe('forecourt-2026-12-01T153005-0330.sqlite');
    expect(backupTimeOf('forecourt-2026-12-02T030005+0800.sqlite')?.toISOString()).toBe(at.toISOString());
    expect(backupTimeOf('forecourt-2026-12-01T153005-0330.sqlite')?.toISOString()).toBe(at.toISOString());
    expect(backupTimeOf('.forecourt-2026-12-02T030005+0800.sqlite.partial')).toBeUndefined();
    expect(backupTimeOf('notes.txt')).toBeUndefined();
  });

  it('numbers ISO weeks across a year end', () => {
    expect(localWeek(new Date('2026-12-31T12:00:00+08:00'), 'Asia/Shanghai')).toBe('2026-W53');
    expect(localWeek(new Date('2027-01-03T12:00:00+08:00'), 'Asia/Shanghai')).toBe('2026-W53');
    expect(localWeek(new Date('2027-01-04T12:00:00+08:00'), 'Asia/Shanghai')).toBe('2027-W01');
  });
});
