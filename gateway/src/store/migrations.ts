/**
 * Versioned schema changes, applied in order at start-up. Never edit a shipped migration:
 * append a new one. `PRAGMA user_version` records the last one applied.
 */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'gateway metadata and device registry',
    sql: `
      CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;
      CREATE TABLE device (
        id         TEXT PRIMARY KEY,
        kind       TEXT NOT NULL,
        online     INTEGER NOT NULL,
        health     TEXT NOT NULL,
        reason     TEXT,
        last_seen  TEXT NOT NULL
      ) STRICT;
    `,
  },
];
