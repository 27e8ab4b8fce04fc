import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { QueueEngine, type QueueEngineOptions, type QueueStore } from '../../../gateway/src/domain/queue/index.js';
import { openDatabase, type Db } from '../../../gateway/src/store/database.js';
import { SqliteQueueStore } from '../../../gateway/src/store/queue-store.js';

export const TZ = 'Asia/Shanghai';

/** A clock that moves only when the test says so. */
export class FakeClock {
  private t: number;

  constructor(start: string) {
    this.t = Date.parse(start);
  }

  readonly now = (): Date => new Date(this.t);

  advanceMin(minutes: number): void {
    this.t += minutes * 60_000;
  }

  advanceMs(ms: number): void {
    this.t += ms;
  }
}

export interface OpenedEngine {
  db: Db;
  engine: QueueEngine;
}

/** A temp data directory per test; every database opened through it is closed afterwards. */
export function useDataDir() {
  let dir = '';
  const open: Db[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'forecourt-queue-'));
  });
  afterEach(() => {
    for (const db of open.splice(0)) db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    openDb(): Db {
      const db = openDatabase(dir);
      open.push(db);
      return db;
    },
    openEngine(
      clock: FakeClock,
      opts: Partial<QueueEngineOptions> = {},
      store: (db: Db) => QueueStore = (db) => new SqliteQueueStore(db),
    ): OpenedEngine {
      const db = this.openDb();
      return { db, engine: new QueueEngine({ store: store(db), clock: clock.now, timeZone: TZ, ...opts }) };
    },
  };
}

/** Every row the queue writes, to compare a database before and after a refused request. */
export function dumpQueueTables(db: Db): Record<string, unknown[]> {
  return {
    tickets: db.prepare('SELECT * FROM queue_ticket ORDER BY id').all(),
    counters: db.prepare('SELECT * FROM ticket_counter ORDER BY business_day, service').all(),
    events: db.prepare('SELECT * FROM queue_event ORDER BY seq').all(),
    meta: db.prepare('SELECT * FROM meta ORDER BY key').all(),
  };
}

export function eventRows(db: Db): { seq: number; id: string; type: string; at: string; payload: string }[] {
  return db.prepare('SELECT seq, id, type, at, payload FROM queue_event ORDER BY seq').all() as {
    seq: number;
    id: string;
    type: string;
    at: string;
    payload: string;
  }[];
}

/** A repeatable stream of uniform numbers in [0, 1) (mulberry32): same seed, same run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** An exponential draw with the given mean. */
export function exponential(random: () => number, mean: number): number {
  return -Math.log(1 - random()) * mean;
}
