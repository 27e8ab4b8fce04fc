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
  {
    version: 3,
    description: 'workshop repair orders, reception numbers and event log',
    sql: `
      -- One row per repair order: the columns the queries need, the whole order (jobs with their
      -- clocks, stage history) as JSON in data.
      CREATE TABLE workshop_order (
        id                TEXT PRIMARY KEY,
        no                TEXT NOT NULL UNIQUE,
        token             TEXT NOT NULL UNIQUE,
        ticket_id         TEXT,
        plate             TEXT NOT NULL,
        stage             TEXT NOT NULL CHECK (stage IN ('appointment', 'reception', 'dispatched', 'in-repair', 'paused',
                            'repair-done', 'quality-check', 'rework', 'washing', 'settlement', 'ready', 'released')),
        created_at        TEXT NOT NULL,
        appointment_day   TEXT,
        released_day      TEXT,
        data              TEXT NOT NULL CHECK (json_valid(data))
      ) STRICT;
      CREATE INDEX workshop_order_stage ON workshop_order (stage);
      CREATE INDEX workshop_order_plate ON workshop_order (plate);
      CREATE INDEX workshop_order_ticket ON workshop_order (ticket_id);
      CREATE INDEX workshop_order_released ON workshop_order (released_day);
      CREATE INDEX workshop_order_created ON workshop_order (created_at);
      CREATE TABLE reception_counter (
        business_day  TEXT PRIMARY KEY,
        last          INTEGER NOT NULL
      ) STRICT;
      -- Every accepted workshop command, written in its transaction; the DMS outbox reads it in seq order.
      CREATE TABLE workshop_event (
        seq       INTEGER PRIMARY KEY AUTOINCREMENT,
        id        TEXT NOT NULL UNIQUE,
        type      TEXT NOT NULL,
        at        TEXT NOT NULL,
        order_id  TEXT NOT NULL,
        payload   TEXT NOT NULL CHECK (json_valid(payload))
      ) STRICT;
    `,
  },
  {
    version: 4,
    description: 'print queue',
    sql: `
      -- Jobs wait here until their printer answers a status query after printing them.
      CREATE TABLE print_job (
        seq         INTEGER PRIMARY KEY AUTOINCREMENT,
        id          TEXT NOT NULL UNIQUE,
        printer     TEXT NOT NULL,
        kind        TEXT NOT NULL CHECK (kind IN ('ticket', 'reception-slip', 'exit-pass', 'test')),
        label       TEXT NOT NULL,
        state       TEXT NOT NULL CHECK (state IN ('queued', 'printed', 'cancelled')),
        attempts    INTEGER NOT NULL DEFAULT 0,
        data        BLOB NOT NULL,
        created_at  TEXT NOT NULL,
        printed_at  TEXT,
        reprint_of  TEXT
      ) STRICT;
      CREATE INDEX print_job_queued ON print_job (printer, state, seq);
    `,
  },
  {
    version: 5,
    description: 'members, vehicles, appointments (DMS cache), issued member cards, member visits',
    sql: `
      -- Filled by the DMS sync (and the demo seed) through MemberStore.upsertMembers.
      CREATE TABLE member (
        id        INTEGER PRIMARY KEY,
        name      TEXT NOT NULL,
        phone     TEXT,
        level     TEXT NOT NULL CHECK (level IN ('standard', 'silver', 'gold', 'platinum')),
        points    INTEGER NOT NULL,
        birthday  TEXT
      ) STRICT;
      CREATE INDEX member_phone ON member (phone);
      CREATE TABLE vehicle (
        id                    INTEGER PRIMARY KEY,
        member_id             INTEGER NOT NULL REFERENCES member (id) ON DELETE CASCADE,
        plate                 TEXT NOT NULL,
        vin                   TEXT NOT NULL,
        model                 TEXT NOT NULL,
        mileage_km            INTEGER,
        maintenance_due_date  TEXT,
        maintenance_due_km    INTEGER,
        inspection_due        TEXT,
        insurance_expiry      TEXT,
        recommended           TEXT NOT NULL CHECK (json_valid(recommended))
      ) STRICT;
      CREATE INDEX vehicle_member ON vehicle (member_id);
      CREATE INDEX vehicle_plate ON vehicle (plate);
      CREATE TABLE appointment (
        id          TEXT PRIMARY KEY,
        member_id   INTEGER NOT NULL REFERENCES member (id) ON DELETE CASCADE,
        vehicle_id  INTEGER NOT NULL,
        at          TEXT NOT NULL,
        service     TEXT NOT NULL,
        status      TEXT NOT NULL CHECK (status IN ('booked', 'checked-in', 'cancelled')),
        note        TEXT
      ) STRICT;
      CREATE INDEX appointment_member ON appointment (member_id);
      -- Cards written at this store's desks; a later card of the same vehicle revokes the earlier.
      CREATE TABLE member_card (
        uid         TEXT PRIMARY KEY,
        member_id   INTEGER NOT NULL,
        vehicle_id  INTEGER NOT NULL,
        key_id      INTEGER NOT NULL,
        issued_at   TEXT NOT NULL,
        issued_by   TEXT NOT NULL,
        revoked_at  TEXT
      ) STRICT;
      CREATE INDEX member_card_vehicle ON member_card (vehicle_id);
      -- Tickets taken at the kiosk or linked at the desk for a member: the desk's visit history.
      CREATE TABLE member_visit (
        ticket_id      TEXT NOT NULL,
        ticket_number  TEXT NOT NULL,
        service        TEXT NOT NULL,
        member_id      INTEGER NOT NULL,
        vehicle_id     INTEGER NOT NULL,
        at             TEXT NOT NULL,
        via            TEXT NOT NULL CHECK (via IN ('kiosk', 'desk')),
        desk           TEXT,
        PRIMARY KEY (ticket_id, member_id)
      ) STRICT;
      CREATE INDEX member_visit_member ON member_visit (member_id, at);
    `,
  },
  {
    version: 6,
    description: 'staff, sessions, tokens, enrolled and provisioned devices, enrolment requests, audit log',
    sql: `
      CREATE TABLE staff (
        id          TEXT PRIMARY KEY,
        staff_no    TEXT NOT NULL UNIQUE,
        name        TEXT NOT NULL,
        role        TEXT NOT NULL,
        pin_hash    TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        disabled_at TEXT
      ) STRICT;
      -- Only the hash of a session id is kept: a copied database signs nobody in.
      CREATE TABLE staff_session (
        id_hash       TEXT PRIMARY KEY,
        staff_id      TEXT NOT NULL REFERENCES staff (id),
        screen        TEXT NOT NULL,
        desk          TEXT,
        source        TEXT NOT NULL,
        created_at    TEXT NOT NULL,
        last_seen_at  TEXT NOT NULL,
        ended_at      TEXT
      ) STRICT;
      CREATE TABLE staff_token (
        id            TEXT PRIMARY KEY,
        name          TEXT NOT NULL,
        role          TEXT NOT NULL,
        secret_hash   TEXT NOT NULL,
        created_at    TEXT NOT NULL,
        last_used_at  TEXT,
        revoked_at    TEXT
      ) STRICT;
      -- Screens enrolled by pairing and devices provisioned by the installer.
      CREATE TABLE device_credential (
        id            TEXT PRIMARY KEY,
        kind          TEXT NOT NULL,
        name          TEXT NOT NULL,
        station       TEXT,
        secret_hash   TEXT,
        created_at    TEXT NOT NULL,
        created_by    TEXT NOT NULL,
        last_seen_at  TEXT,
        revoked_at    TEXT
      ) STRICT;
      CREATE TABLE enrol_request (
        id          TEXT PRIMARY KEY,
        code        TEXT NOT NULL,
        kind        TEXT NOT NULL,
        poll_hash   TEXT NOT NULL,
        source      TEXT NOT NULL,
        state       TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'collected', 'rejected')),
        device_id   TEXT,
        created_at  TEXT NOT NULL,
        expires_at  TEXT NOT NULL
      ) STRICT;
      CREATE INDEX enrol_request_code ON enrol_request (code, state);
      -- Who did what: written in the same transaction as the change it records.
      CREATE TABLE audit (
        seq     INTEGER PRIMARY KEY AUTOINCREMENT,
        at      TEXT NOT NULL,
        actor   TEXT NOT NULL,
        role    TEXT,
        via     TEXT,
        action  TEXT NOT NULL,
        target  TEXT,
        detail  TEXT NOT NULL CHECK (json_valid(detail))
      ) STRICT;
      CREATE INDEX audit_actor ON audit (actor, seq);
      CREATE INDEX audit_action ON audit (action, seq);
    `,
  },
  {
    version: 7,
    description: 'DMS outbox with a store-wide gap-free sequence, transport cursors, dead letters, inbound sync state',
    sql: `
      -- Every event for head office, written in the same transaction as the change it reports.
      -- AUTOINCREMENT: a seq is never reused, not even after old rows are purged, and a rolled-back
      -- insert rolls the counter back with it (one writer), so seq has no gaps.
      CREATE TABLE outbox (
        seq             INTEGER PRIMARY KEY AUTOINCREMENT,
        -- A random UUID; not indexed (nothing looks an event up by it, and an index of random
        -- keys would cost every command a random b-tree insert).
        event_id        TEXT NOT NULL,
        type            TEXT NOT NULL,
        aggregate_type  TEXT NOT NULL,
        aggregate_id    TEXT NOT NULL,
        at              TEXT NOT NULL,
        schema          TEXT NOT NULL,
        data            TEXT NOT NULL CHECK (json_valid(data))
      ) STRICT;
      -- How far each transport (http, mqtt) has had the outbox acknowledged.
      CREATE TABLE relay_cursor (
        transport      TEXT PRIMARY KEY,
        acked_through  INTEGER NOT NULL,
        acked_at       TEXT
      ) STRICT;
      -- Events a DMS refused for good (409/422), until a manager retries them.
      CREATE TABLE relay_dead_letter (
        transport    TEXT NOT NULL,
        seq          INTEGER NOT NULL,
        code         TEXT NOT NULL,
        reason       TEXT NOT NULL,
        at           TEXT NOT NULL,
        resolved_at  TEXT,
        resolved_by  TEXT,
        PRIMARY KEY (transport, seq)
      ) STRICT;
    `,
  },
  {
    version: 8,
    description: 'workflow documents: print jobs of kind work-order and settlement, found by label; orders by exit pass',
    sql: `
      -- SQLite cannot change a CHECK constraint: the table is rebuilt, its rows and seq kept.
      CREATE TABLE print_job_v8 (
        seq         INTEGER PRIMARY KEY AUTOINCREMENT,
        id          TEXT NOT NULL UNIQUE,
        printer     TEXT NOT NULL,
        kind        TEXT NOT NULL
                    CHECK (kind IN ('ticket', 'reception-slip', 'work-order', 'settlement', 'exit-pass', 'test')),
        label       TEXT NOT NULL,
        state       TEXT NOT NULL CHECK (state IN ('queued', 'printed', 'cancelled')),
        attempts    INTEGER NOT NULL DEFAULT 0,
        data        BLOB NOT NULL,
        created_at  TEXT NOT NULL,
        printed_at  TEXT,
        reprint_of  TEXT
      ) STRICT;
      INSERT INTO print_job_v8 (seq, id, printer, kind, label, state, attempts, data, created_at, printed_at, reprint_of)
        SELECT seq, id, printer, kind, label, state, attempts, data, created_at, printed_at, reprint_of FROM print_job;
      DROP TABLE print_job;
      ALTER TABLE print_job_v8 RENAME TO print_job;
      CREATE INDEX print_job_queued ON print_job (printer, state, seq);
      -- An order's documents at the desk: their label is its reception number.
      CREATE INDEX print_job_label ON print_job (label, seq);
      -- The gate looks a released order up by the code on its exit pass.
      CREATE INDEX workshop_order_exit_pass ON workshop_order (json_extract(data, '$.exitPass'));
    `,
  },
  {
    version: 9,
    description: 'first answers to commands sent with a request id (Idempotency-Key), per principal, kept a day',
    sql: `
      -- Written in the transaction of the change it answers; a retry with the same id reads it.
      CREATE TABLE request_answer (
        principal   TEXT NOT NULL,
        request_id  TEXT NOT NULL,
        target      TEXT NOT NULL,  -- method and path the id was first sent to
        answer      TEXT NOT NULL,  -- the JSON answer sent then
        created_at  TEXT NOT NULL,
        PRIMARY KEY (principal, request_id)
      ) STRICT;
      CREATE INDEX request_answer_created ON request_answer (created_at);
    `,
  },
  {
    version: 10,
    description: 'customer satisfaction: survey answers (one per order), follow-up call preferences and attempts, complaint flags',
    sql: `
      -- The customer's answer after a release; the primary key refuses a second one, whatever the race.
      CREATE TABLE survey_answer (
        order_id     TEXT PRIMARY KEY,
        order_no     TEXT NOT NULL,
        released_at  TEXT NOT NULL,
        advisor      TEXT NOT NULL,
        rating       INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
        tags         TEXT NOT NULL CHECK (json_valid(tags)),
        comment      TEXT,
        via          TEXT NOT NULL CHECK (via IN ('kiosk', 'phone')),
        answered_at  TEXT NOT NULL
      ) STRICT;
      CREATE INDEX survey_answer_at ON survey_answer (answered_at);
      -- When the customer would rather be called back (noted at settlement).
      CREATE TABLE follow_up_preference (
        order_id   TEXT PRIMARY KEY,
        call_time  TEXT NOT NULL CHECK (call_time IN ('any', 'morning', 'noon', 'afternoon', 'evening')),
        set_at     TEXT NOT NULL,
        set_by     TEXT NOT NULL
      ) STRICT;
      -- Every follow-up call attempt, per release (a comeback released again is called again).
      CREATE TABLE follow_up_call (
        seq          INTEGER PRIMARY KEY AUTOINCREMENT,
        order_id     TEXT NOT NULL,
        released_at  TEXT NOT NULL,
        outcome      TEXT NOT NULL CHECK (outcome IN ('reached', 'not-reached', 'complaint')),
        note         TEXT,
        at           TEXT NOT NULL,
        by           TEXT NOT NULL
      ) STRICT;
      CREATE INDEX follow_up_call_order ON follow_up_call (order_id, released_at);
      -- A complaint raised by a call stays flagged for the manager until closed.
      CREATE TABLE complaint_flag (
        call_seq    INTEGER PRIMARY KEY REFERENCES follow_up_call (seq),
        order_id    TEXT NOT NULL,
        closed_at   TEXT,
        closed_by   TEXT,
        close_note  TEXT
      ) STRICT;
      CREATE INDEX complaint_flag_open ON complaint_flag (closed_at);
    `,
  },
  {
    version: 11,
    description: 'staff cards: NTAG cards that sign a member of staff in, issued at the desk reader, revoked or superseded',
    sql: `
      -- The serial and version are written on the card under its MAC; the row is what makes the
      -- card good: written (issued_at), not revoked, and the staff member's latest (version).
      CREATE TABLE staff_card (
        serial       INTEGER PRIMARY KEY AUTOINCREMENT,
        uid          TEXT NOT NULL,
        staff_id     TEXT NOT NULL REFERENCES staff (id),
        version      INTEGER NOT NULL,
        key_id       INTEGER NOT NULL,
        requested_at TEXT NOT NULL,
        issued_at    TEXT,           -- NULL while the reader writes it; such a card signs nobody in
        issued_by    TEXT NOT NULL,
        revoked_at   TEXT,
        revoked_by   TEXT,
        revoked_why  TEXT CHECK (revoked_why IN ('revoked', 'superseded')),
        UNIQUE (staff_id, version)
      ) STRICT;
      CREATE INDEX staff_card_uid ON staff_card (uid);
    `,
  },
  {
    version: 12,
    description: 'statistics: the queue per business day by hour, service and desk, rolled up once a day is over',
    sql: `
      -- Each closed business day summed from its queue events three ways (cut): per hour of issue,
      -- per service, per desk ('' when never called); a ticket is in one row of each cut. A year
      -- of any cut is one range scan of a few thousand rows. Waits (w) and service times (s) are
      -- counts per bucket of domain/stats/duration-buckets.ts.
      CREATE TABLE stats_queue_cut (
        cut           TEXT NOT NULL CHECK (cut IN ('hour', 'service', 'desk')),
        business_day  TEXT NOT NULL,
        key           TEXT NOT NULL,
        issued        INTEGER NOT NULL,
        issued_peak   INTEGER NOT NULL,
        served        INTEGER NOT NULL,
        no_shows      INTEGER NOT NULL,
        walk_aways    INTEGER NOT NULL,
        unfinished    INTEGER NOT NULL,
        transfers     INTEGER NOT NULL,
        wait_n        INTEGER NOT NULL,
        wait_sum_s    REAL NOT NULL,
        service_n     INTEGER NOT NULL,
        service_sum_s REAL NOT NULL,
        -- Estimates told at issue against the real wait, for tickets that were called.
        est_n         INTEGER NOT NULL,
        est_abs_err_s REAL NOT NULL,
        est_err_s     REAL NOT NULL,
        est_in_range  INTEGER NOT NULL,
        w0  INTEGER NOT NULL,
        w1  INTEGER NOT NULL,
        w2  INTEGER NOT NULL,
        w3  INTEGER NOT NULL,
        w4  INTEGER NOT NULL,
        w5  INTEGER NOT NULL,
        w6  INTEGER NOT NULL,
        w7  INTEGER NOT NULL,
        w8  INTEGER NOT NULL,
        w9  INTEGER NOT NULL,
        w10 INTEGER NOT NULL,
        w11 INTEGER NOT NULL,
        w12 INTEGER NOT NULL,
        w13 INTEGER NOT NULL,
        w14 INTEGER NOT NULL,
        w15 INTEGER NOT NULL,
        s0  INTEGER NOT NULL,
        s1  INTEGER NOT NULL,
        s2  INTEGER NOT NULL,
        s3  INTEGER NOT NULL,
        s4  INTEGER NOT NULL,
        s5  INTEGER NOT NULL,
        s6  INTEGER NOT NULL,
        s7  INTEGER NOT NULL,
        s8  INTEGER NOT NULL,
        s9  INTEGER NOT NULL,
        s10 INTEGER NOT NULL,
        s11 INTEGER NOT NULL,
        s12 INTEGER NOT NULL,
        s13 INTEGER NOT NULL,
        s14 INTEGER NOT NULL,
        s15 INTEGER NOT NULL,
        PRIMARY KEY (cut, business_day, key)
      ) STRICT, WITHOUT ROWID;
      -- The days rolled up (a day with no tickets has a row here and none above), with the
      -- workshop's sums over the orders released that day (domain/stats/workshop-sums.ts).
      CREATE TABLE stats_day (
        business_day TEXT PRIMARY KEY,
        rolled_at    TEXT NOT NULL,
        tickets      INTEGER NOT NULL,
        workshop     TEXT NOT NULL CHECK (json_valid(workshop))
      ) STRICT;
      -- A day's events by time, for the roll-up and today's live figures.
      CREATE INDEX queue_event_at ON queue_event (at);
    `,
  },
  {
    version: 13,
    description: "queue tickets keep the wait estimate shown when they were taken, for the phone page's \"changed a lot\"",
    sql: `
      -- Whole minutes: the median and its 80 % interval; NULL on tickets taken before.
      ALTER TABLE queue_ticket ADD COLUMN first_wait_min INTEGER;
      ALTER TABLE queue_ticket ADD COLUMN first_wait_low INTEGER;
      ALTER TABLE queue_ticket ADD COLUMN first_wait_high INTEGER;
    `,
  },
];
