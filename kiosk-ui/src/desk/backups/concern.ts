import type { BackupStatus } from '@forecourt/gateway/protocol';

/** A desk warns when the newest good copy is older than this. */
export const STALE_AFTER_MS = 2 * 86_400_000;

/** What a manager must be told about the backups, if anything: the last one failed, or none is recent. */
export type BackupConcern =
  | { kind: 'failed'; at: string; code: string; message: string }
  | { kind: 'stale'; lastGoodAt: string }
  | { kind: 'none' };

export function backupConcern(status: BackupStatus, now: Date): BackupConcern | undefined {
  const { last } = status;
  if (last && !last.ok) return { kind: 'failed', at: last.at, code: last.error?.code ?? 'other', message: last.error?.message ?? '' };
  const newest = status.files.map((f) => f.at).sort().at(-1);
  if (!newest) return { kind: 'none' };
  return now.getTime() - Date.parse(newest) > STALE_AFTER_MS ? { kind: 'stale', lastGoodAt: newest } : undefined;
}
