import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../gateway/src/store/database.js';

describe('openDatabase', () => {
  const dir = mkdtempSync(join(tmpdir(), 'forecourt-open-db-'));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps a page cache of 2 MB (SQLite’s own default), where better-sqlite3 would keep 16 MB', () => {
    const plain = new Database(':memory:');
    expect(plain.pragma('cache_size', { simple: true })).toBe(-16000);
    plain.close();
    for (const durability of ['group', 'fsync-each'] as const) {
      const db = openDatabase(join(dir, durability), { durability });
      expect(db.pragma('cache_size', { simple: true })).toBe(-2000);
      db.close();
    }
  });
});
