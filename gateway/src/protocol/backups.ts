import { z } from 'zod';

// Backups of the store database over HTTP (`POST /api/backups`, `GET /api/backups`): one
// definition for the gateway, the desk and the benchmarks that call them.

const Timestamp = z.iso.datetime({ offset: true });

/** Why a backup failed: the folder cannot be made or written, the copy failed, the copy did not pass its check, the gateway stopped. */
export const BACKUP_ERROR_CODES = ['folder-unavailable', 'copy-failed', 'integrity-failed', 'cancelled'] as const;
export const BackupErrorCode = z.enum(BACKUP_ERROR_CODES);
export type BackupErrorCode = z.infer<typeof BackupErrorCode>;

/** `POST /api/backups`: the copy just made, checked (`PRAGMA integrity_check` said ok). */
export const BackupAnswer = z.strictObject({
  /** Its name in the backup folder. */
  file: z.string(),
  bytes: z.number().int().nonnegative(),
  at: Timestamp,
  integrity: z.literal('ok'),
});
export type BackupAnswer = z.infer<typeof BackupAnswer>;

/** The last backup tried, kept across restarts: a failed one stays visible until one succeeds. */
export const BackupLast = z.strictObject({
  at: Timestamp,
  ok: z.boolean(),
  file: z.string().optional(),
  error: z.strictObject({ code: z.string(), message: z.string() }).optional(),
});
export type BackupLast = z.infer<typeof BackupLast>;

/** daily: the newest copy of one of the last `keepDaily` days with a copy; weekly: of one of the last `keepWeekly` weeks. */
export const BackupKind = z.enum(['daily', 'weekly']);
export type BackupKind = z.infer<typeof BackupKind>;

export const BackupFile = z.strictObject({ file: z.string(), bytes: z.number().int().nonnegative(), at: Timestamp, kind: BackupKind });
export type BackupFile = z.infer<typeof BackupFile>;

/** `GET /api/backups`: the last attempt and the copies kept, newest first. */
export const BackupStatus = z.strictObject({ last: BackupLast.nullable(), files: z.array(BackupFile) });
export type BackupStatus = z.infer<typeof BackupStatus>;
