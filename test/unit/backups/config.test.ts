import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../gateway/src/config/load.js';
import { ConfigSchema } from '../../../gateway/src/config/schema.js';
import { backupFolderOf } from '../../../gateway/src/store/backup.js';

describe('backup settings', () => {
  it('defaults to 03:00, 7 daily and 4 weekly copies in <dataDir>/backups', () => {
    const { config } = loadConfig(['--data-dir', '/var/lib/forecourt'], {}, '/tmp');
    expect(config.backup).toEqual({ hour: 3, keepDaily: 7, keepWeekly: 4 });
    expect(backupFolderOf(config)).toBe('/var/lib/forecourt/backups');
    expect(config.retention.auditDays).toBe(400);
  });

  it('refuses hours outside the day, no daily copy, unknown keys', () => {
    const issues = (backup: unknown) => ConfigSchema.safeParse({ backup }).error?.issues.map((i) => i.path.join('.'));
    expect(issues({ hour: 24 })).toEqual(['backup.hour']);
    expect(issues({ hour: 2.5 })).toEqual(['backup.hour']);
    expect(issues({ keepDaily: 0 })).toEqual(['backup.keepDaily']);
    expect(issues({ keepWeekly: -1 })).toEqual(['backup.keepWeekly']);
    expect(issues({ folder: '' })).toEqual(['backup.folder']);
    expect(issues({ every: 'day' })).toEqual(['backup']);
    expect(ConfigSchema.safeParse({ retention: { auditDays: 7 } }).error?.issues.map((i) => i.path.join('.'))).toEqual(['retention.auditDays']);
  });
});
