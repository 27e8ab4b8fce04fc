import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** better-sqlite3 as this module resolves it, for the worker (which has no module of its own to resolve from). */
const DRIVER = createRequire(import.meta.url).resolve('better-sqlite3');
/** Pages per backup step (8 MB): between two steps the worker can be stopped. */
const PAGES_PER_STEP = 2048;
/** The copy is synced to disk every this many steps (16 MB). */
const SYNC_EVERY_STEPS = 2;

// Plain CommonJS, so it runs from the built gateway and from the TypeScript sources alike.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const fs = require('node:fs');
const fail = (err) => parentPort.postMessage({ error: err instanceof Error ? err.message : String(err) });
// A page cache of SQLite's own default size (2 MB) instead of better-sqlite3's 16 MB: these
// connections read each page about once, and a backup's source connection filled all 16 MB
// (a 20 MB database's copy: peak RSS +42 MB with 16 MB, +28 MB with 2 MB).
function open(path, options) {
  const db = new Database(path, options);
  db.pragma('cache_size = -2000');
  return db;
}
async function copy({ source, dest, pagesPerStep, syncEverySteps }) {
  const src = open(source, { fileMustExist: true });
  let fd;
  let steps = 0;
  // Written out as it goes, a few steps at a time: a copy's hundreds of megabytes flushed at once
  // at the end would make every fsync of the gateway's own commits wait for them.
  const progress = () => {
    if (++steps % syncEverySteps === 0) fs.fdatasyncSync((fd ??= fs.openSync(dest, 'r')));
    return pagesPerStep;
  };
  try {
    // One read transaction for the whole copy: in WAL mode the gateway writes on meanwhile, and
    // the copy is the snapshot of this moment instead of starting over after every write.
    src.exec('BEGIN');
    src.prepare('SELECT count(*) FROM sqlite_schema').get();
    await src.backup(dest, { progress });
    src.exec('COMMIT');
  } finally {
    src.close();
    if (fd !== undefined) fs.closeSync(fd);
  }
  // A copy that stands alone: one file, no WAL beside it.
  const out = new Database(dest, { fileMustExist: true });
  try {
    out.pragma('journal_mode = DELETE');
  } finally {
    out.close();
  }
  return {};
}
function check({ path }) {
  const db = open(path, { readonly: true, fileMustExist: true });
  try {
    return { findings: db.pragma('integrity_check').map((row) => row.integrity_check) };
  } finally {
    db.close();
  }
}
function checkpoint({ path }) {
  // synchronous = FULL: the WAL is synced before its pages are copied, the database after.
  const db = open(path, { fileMustExist: true });
  try {
    db.pragma('synchronous = FULL');
    const [row] = db.pragma('wal_checkpoint(PASSIVE)');
    return { checkpoint: { busy: row.busy, walFrames: row.log, copiedFrames: row.checkpointed } };
  } finally {
    db.close();
  }
}
const OPS = { copy, check, checkpoint };
Promise.resolve()
  .then(() => OPS[workerData.op](workerData))
  .then((answer) => parentPort.postMessage(answer), fail);
`;

type Answer = { findings?: string[]; checkpoint?: CheckpointResult; error?: string };

/** What a checkpoint did: frames in the WAL, and how many of them are now in the database file. */
export interface CheckpointResult {
  busy: number;
  walFrames: number;
  copiedFrames: number;
}

/** Runs one operation on its own worker thread; `signal` ends it (between two backup steps at the latest). */
function runWorker(data: Record<string, unknown>, signal: AbortSignal | undefined): Promise<Answer> {
  return new Promise((resolve, reject) => {
    signal?.throwIfAborted();
    const worker = new Worker(WORKER, { eval: true, workerData: { ...data, driver: DRIVER } });
    const onAbort = () => void worker.terminate();
    signal?.addEventListener('abort', onAbort, { once: true });
    let answered = false;
    worker.once('message', (answer: Answer) => {
      answered = true;
      if (answer.error !== undefined) reject(new Error(answer.error));
      else resolve(answer);
    });
    worker.once('error', reject);
    worker.once('exit', () => {
      signal?.removeEventListener('abort', onAbort);
      if (!answered) reject(signal?.aborted ? signal.reason : new Error('the worker ended without an answer'));
    });
  });
}

/**
 * SQLite's online backup of the database file `source` into `dest`, on a worker thread with a
 * connection of its own: copying and syncing hundreds of megabytes must not stop the gateway's
 * event loop. The copy is switched to a single-file journal.
 */
export async function copyDatabaseFile(source: string, dest: string, signal?: AbortSignal): Promise<void> {
  await runWorker({ op: 'copy', source, dest, pagesPerStep: PAGES_PER_STEP, syncEverySteps: SYNC_EVERY_STEPS }, signal);
}

/**
 * `PRAGMA integrity_check` of a database file opened read-only, on a worker thread (it reads
 * every page: about a second per 100 MB here). Resolves SQLite's findings (["ok"] when sound);
 * rejects when the file cannot be opened as a database, or when `signal` aborts.
 */
export async function integrityFindings(path: string, signal?: AbortSignal): Promise<string[]> {
  return (await runWorker({ op: 'check', path }, signal)).findings ?? [];
}

/**
 * A passive WAL checkpoint of the database at `path`, from a connection of its own on a worker
 * thread: its two fsyncs and the copying stay off the event loop (the gateway's connection has
 * `wal_autocheckpoint = 0`). It never waits for readers or writers; frames still in use wait
 * for the next one.
 */
export async function checkpointDatabaseFile(path: string, signal?: AbortSignal): Promise<CheckpointResult> {
  const answer = await runWorker({ op: 'checkpoint', path }, signal);
  if (!answer.checkpoint) throw new Error('the checkpoint worker gave no result');
  return answer.checkpoint;
}
