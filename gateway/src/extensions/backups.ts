import type { FastifyInstance } from 'fastify';
import { backupOverdue, nextBackupAt } from '../domain/backups/schedule.js';
import { selectBackups } from '../domain/backups/retention.js';
import { registerBackupRoutes, type BackupApi } from '../http/backup-routes.js';
import type { BackupAnswer, BackupLast, BackupStatus } from '../protocol/backups.js';
import type { Actor } from '../store/audit-log.js';
import { BackupError, backupDatabase, backupFolderOf, listBackupFiles, pruneBackups, removePartials, type BackupFileInfo } from '../store/backup.js';
import { BackupRecord } from '../store/backup-record.js';
import type { Extension, ExtensionContext } from './extension.js';
import { NotReady } from '../domain/not-ready.js';

/** The schedule is looked at again at least this often, so a clock that jumps (or a suspended box) is noticed. */
const RECHECK_MS = 10 * 60_000;

/**
 * Backs the database up every day at `backup.hour` (store time), and at start when the newest
 * good copy is more than a day old (the gateway was off at that hour); a manager or installer
 * may back up at any time (`POST /api/backups`). One backup runs at a time: a request meanwhile
 * waits for it and gets the next one. After each good copy, retention deletes the copies no longer
 * kept. The last result is stored in the database, so a failure stays visible at the desk.
 */
export class Backups implements Extension, BackupApi {
  readonly name = 'backups';
  private record: BackupRecord | undefined;
  private timer: NodeJS.Timeout | undefined;
  private dueAt: Date | undefined;
  private running: Promise<BackupAnswer> | undefined;
  private next: Promise<BackupAnswer> | undefined;
  private abort = new AbortController();

  constructor(private readonly ctx: ExtensionContext) {}

  private get folder(): string {
    return backupFolderOf(this.ctx.config);
  }

  registerRoutes(app: FastifyInstance): void {
    registerBackupRoutes(app, this);
  }

  async start(): Promise<void> {
    const { db, now, log } = this.ctx;
    this.abort = new AbortController();
    this.record = new BackupRecord(db);
    try {
      const leftOver = removePartials(this.folder);
      if (leftOver > 0) log.warn({ folder: this.folder, files: leftOver }, 'backups: removed copies a stopped gateway left half made');
    } catch (err) {
      // The folder's trouble shows in the next backup's result; the schedule must run anyway.
      log.warn({ err, folder: this.folder }, 'backups: could not clear half-made copies');
    }
    const newest = this.filesOrNone()[0];
    this.showNewest(newest);
    this.dueAt = nextBackupAt(now(), this.ctx.config.backup.hour, this.ctx.config.store.timeZone);
    if (backupOverdue(newest?.at, now())) this.runInBackground('overdue');
    this.arm();
    await Promise.resolve();
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.abort.abort();
    await Promise.all([this.running, this.next].map((p) => p?.catch(() => undefined)));
    this.record = undefined;
  }

  status(): BackupStatus {
    const record = this.started();
    const last = record.last();
    let files: BackupFileInfo[] = [];
    let unreadable: BackupLast | undefined;
    try {
      files = listBackupFiles(this.folder);
    } catch (err) {
      // The copies cannot even be listed: after a good last backup that is the news (noticed now).
      if (last?.ok !== false) unreadable = { at: this.ctx.now().toISOString(), ok: false, error: { code: 'folder-unavailable', message: `cannot read the backup folder ${this.folder}: ${(err as Error).message}` } };
    }
    const { kept } = selectBackups(files, this.ctx.config.backup, this.ctx.config.store.timeZone);
    return {
      last: unreadable ?? last,
      files: files.map((f) => ({ file: f.file, bytes: f.bytes, at: f.at.toISOString(), kind: kept.get(f.file) ?? 'daily' })),
    };
  }

  backupNow(actor?: Actor): Promise<BackupAnswer> {
    this.started();
    if (!this.running) return this.run(actor);
    // The running copy is a snapshot from before this request: one more follows it, shared by
    // every request that comes meanwhile.
    this.next ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.next = undefined;
        return this.run(actor);
      });
    return this.next;
  }

  private run(actor: Actor | undefined): Promise<BackupAnswer> {
    const running = this.backup(actor).finally(() => {
      if (this.running === running) this.running = undefined;
    });
    this.running = running;
    return running;
  }

  private started(): BackupRecord {
    if (!this.record) throw new NotReady('the backups are');
    return this.record;
  }

  private runInBackground(why: 'overdue' | 'scheduled'): void {
    this.ctx.log.info({ why, folder: this.folder }, 'backup starting');
    this.backupNow().catch(() => undefined);
  }

  /** Sleeps until the backup hour, looking again every RECHECK_MS. */
  private arm(): void {
    const { now, config } = this.ctx;
    const wait = Math.max(0, Math.min(RECHECK_MS, (this.dueAt?.getTime() ?? 0) - now().getTime()));
    this.timer = setTimeout(() => {
      if (!this.record) return;
      if (this.dueAt && now().getTime() >= this.dueAt.getTime()) {
        this.dueAt = nextBackupAt(now(), config.backup.hour, config.store.timeZone);
        this.runInBackground('scheduled');
      }
      this.arm();
    }, wait);
    this.timer.unref();
  }

  private async backup(actor: Actor | undefined): Promise<BackupAnswer> {
    const { db, now, log, metrics, config } = this.ctx;
    const at = now();
    const started = performance.now();
    let result: BackupLast;
    try {
      const copy = await backupDatabase(db, { folder: this.folder, at, timeZone: config.store.timeZone, signal: this.abort.signal });
      result = { at: at.toISOString(), ok: true, file: copy.file };
      metrics.backups.inc({ result: 'ok' });
      metrics.backupLastSeconds.set((performance.now() - started) / 1000);
      this.showNewest(copy);
      log.info({ file: copy.path, bytes: copy.bytes, ms: Math.round(performance.now() - started) }, 'backup made and checked');
      this.remember(actor, result);
      this.applyRetention();
      return { file: copy.file, bytes: copy.bytes, at: result.at, integrity: 'ok' };
    } catch (err) {
      const failure = err instanceof BackupError ? err : new BackupError('copy-failed', (err as Error).message);
      metrics.backups.inc({ result: failure.code });
      metrics.backupLastSeconds.set((performance.now() - started) / 1000);
      log.error({ err: failure, code: failure.code, folder: this.folder }, 'backup failed');
      // A stop is no failure of the backup: the record keeps what was true before.
      if (failure.code !== 'cancelled') this.remember(actor, { at: at.toISOString(), ok: false, error: { code: failure.code, message: failure.message } });
      throw failure;
    }
  }

  /** Stores the result (and, for someone's request, its audit row); the database may be closing. */
  private remember(actor: Actor | undefined, result: BackupLast): void {
    try {
      const write = () => this.record?.write(result);
      if (!actor) write();
      else this.ctx.identity.audit.record(actor, write, () => ({ action: 'backup.run', target: result.file ?? null, detail: result.ok ? { ok: true } : { ok: false, code: result.error?.code } }));
    } catch (err) {
      this.ctx.log.warn({ err }, 'could not store the backup result');
    }
  }

  /** Deletes the copies the retention rule no longer keeps; one that will not go is tried again after the next backup. */
  private applyRetention(): void {
    const { config, log } = this.ctx;
    try {
      const deleted = pruneBackups(this.folder, config.backup, config.store.timeZone);
      if (deleted.length > 0) log.info({ deleted }, 'backups: old copies deleted');
    } catch (err) {
      log.warn({ err }, 'backups: old copies could not be deleted; tried again after the next backup');
    }
  }

  private filesOrNone(): BackupFileInfo[] {
    try {
      return listBackupFiles(this.folder);
    } catch {
      return [];
    }
  }

  private showNewest(copy: BackupFileInfo | undefined): void {
    this.ctx.metrics.backupLastSuccess.set(copy ? copy.at.getTime() / 1000 : 0);
    this.ctx.metrics.backupLastBytes.set(copy?.bytes ?? 0);
  }
}
