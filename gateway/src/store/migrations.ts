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
  {
    version: 2,
    description: 'queue tickets, counters and event log',
    sql: `
      CREATE TABLE queue_ticket (
        id                TEXT PRIMARY KEY,
        business_day      TEXT NOT NULL,
        number            TEXT NOT NULL,
        service           TEXT NOT NULL,
        original_service  TEXT NOT NULL,
        priority          TEXT NOT NULL CHECK (priority IN ('appointment', 'vip', 'regular')),
        state             TEXT NOT NULL
                          CHECK (state IN ('waiting', 'called', 'serving', 'done', 'no-show', 'cancelled')),
        issued_at         TEXT NOT NULL,
        called_at         TEXT,
        desk              TEXT,
        recall_count      INTEGER NOT NULL DEFAULT 0,
        no_show_at        TEXT,
        member_ref        TEXT,
        -- Backstop behind ticket_counter: a number is never issued twice on one day.
        UNIQUE (business_day, number)
      ) STRICT;
      CREATE INDEX queue_ticket_day_state ON queue_ticket (business_day, state);
      CREATE TABLE ticket_counter (
        business_day  TEXT NOT NULL,
        service       TEXT NOT NULL,
        last          INTEGER NOT NULL,
        PRIMARY KEY (business_day, service)
      ) STRICT;
      -- Every queue transition, written in its transaction; the DMS outbox reads it in seq order.
      CREATE TABLE queue_event (
        seq      INTEGER PRIMARY KEY AUTOINCREMENT,
        id       TEXT NOT NULL UNIQUE,
        type     TEXT NOT NULL,
        at       TEXT NOT NULL,
        payload  TEXT NOT NULL CHECK (json_valid(payload))
      ) STRICT;
    `,
  },
];
