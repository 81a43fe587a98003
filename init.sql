-- Clickstream schema: the single source of truth. Written for PostgreSQL 15.
--
-- Versioned. clickstream_schema records each version applied; this script brings a database of any earlier version
-- (or an empty one) up to the current version, so every statement is idempotent and it is safe to run again. It is
-- applied by PostgreSQL's docker initdb (on an empty database) and by the worker at start whenever the recorded
-- version is behind the one the worker was built with (EventsSchema.CurrentVersion), under an advisory lock, so
-- several workers starting together take turns and the later ones find the work done. A worker never runs DDL
-- against a database that is up to date, so its user needs no DDL privilege then.
--
-- The events table ends up as (version that added each column in brackets):
--   event_id uuid PK, user_id bigint, event_type text, page text, event_time timestamptz, received_at timestamptz,
--   session_id text, referrer text, properties jsonb, stored_at timestamptz [1]; user_agent text, client_address inet [2].
-- A new database is built through the same steps as an old one is upgraded, so both have the same columns in the same
-- order.
--
-- Adding a version: append a section below with idempotent statements, record it in the INSERT at the end, and raise
-- EventsSchema.CurrentVersion. A step that cannot be one idempotent statement (moving rows into a partitioned table)
-- must still be safe to interrupt and run again: the version is recorded only after every step of it succeeded.

CREATE TABLE IF NOT EXISTS clickstream_schema (
    version     integer     PRIMARY KEY,
    description text        NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
);
-- Every worker reads the version at start, also one whose user was granted only SELECT, INSERT ON events.
GRANT SELECT ON clickstream_schema TO PUBLIC;

-- Version 1: the events table.
-- One row per click event. event_id is chosen by the client and is the unit of idempotency: Kafka delivers at
-- least once, and the consumer's INSERT ... ON CONFLICT (event_id) DO NOTHING keeps the first copy (since version 3,
-- below: ON CONFLICT (event_id, event_time)).
-- timestamptz keeps the instant, not the client's offset: event_time comes back in UTC.
CREATE TABLE IF NOT EXISTS events (
    event_id    uuid        PRIMARY KEY,
    user_id     bigint      NOT NULL,
    event_type  text        NOT NULL,
    page        text        NOT NULL,
    event_time  timestamptz NOT NULL,
    received_at timestamptz,
    session_id  text,
    referrer    text,
    properties  jsonb,
    stored_at   timestamptz NOT NULL DEFAULT now()
);

-- The usual reads: one user's clicks over time, and one kind of event over time.
CREATE INDEX IF NOT EXISTS events_user_id_event_time_idx ON events (user_id, event_time);
CREATE INDEX IF NOT EXISTS events_event_type_event_time_idx ON events (event_type, event_time);

-- Version 2: the context the API stamps on each event (null on rows stored before, and on events from producers that
-- do not send it).
-- user_agent: the request's User-Agent header, cut to 512 characters by the API.
-- client_address: the client's address truncated to a network for privacy (by default IPv4 /24, IPv6 /48; Api:ClientContext),
-- e.g. 203.0.113.0/24; inet keeps the prefix, so a query can tell a truncated address from a whole one
-- (client_address << '203.0.113.0/24', masklen(client_address)).
-- Nullable columns without a default: PostgreSQL 15 adds them to the catalog only, without rewriting the table, so the
-- upgrade of a table of any size takes a moment (it waits for the ACCESS EXCLUSIVE lock, i.e. for running COPYs).
ALTER TABLE events
    ADD COLUMN IF NOT EXISTS user_agent     text,
    ADD COLUMN IF NOT EXISTS client_address inet;

-- Version 3: events partitioned by range on event_time (issue 16). The partitions themselves (events_p<start>, one per
-- Storage:PartitionInterval, created ahead by the worker's maintenance job, dropped past Storage:Retention) are not
-- listed here: they depend on the clock. events_default catches an event no partition covers yet; the job moves such
-- rows into the partition it then creates.
--
-- The unique key is now (event_id, event_time): PostgreSQL enforces uniqueness per partition, so a partitioned table's
-- unique key must include the partition key. Redelivered events (the same event_id and event_time) still make one row.
-- A client that reuses an event id with a different event_time gets two rows: event ids must be unique per event, as
-- the contract says.
--
-- An empty single table (a new database) is replaced. A table with rows is attached whole, as the partition
-- events_legacy FOR VALUES FROM (MINVALUE) TO (B), without copying a row: the worker first builds the unique index
-- events_legacy_key on (event_id, event_time) CONCURRENTLY and validates the CHECK events_legacy_range (event_time < B)
-- (neither blocks writes; about 2 s per million rows here, see docs/benchmarks.md), so the switch below only renames and
-- attaches (tens of milliseconds under the lock). Run without those steps (psql -f init.sql on a populated database),
-- it builds them itself while holding the table's lock. B is a UTC midnight at least a day away when the CHECK is made.
DO $$
DECLARE
    legacy_upper timestamptz;
BEGIN
    IF (SELECT relkind FROM pg_class WHERE oid = to_regclass('events')) IS DISTINCT FROM 'r' THEN
        RETURN; -- already partitioned
    END IF;
    LOCK TABLE events IN ACCESS EXCLUSIVE MODE;
    IF EXISTS (SELECT FROM events) THEN
        IF to_regclass('events_legacy_key') IS NULL THEN
            CREATE UNIQUE INDEX events_legacy_key ON events (event_id, event_time);
        END IF;
        IF NOT EXISTS (SELECT FROM pg_constraint WHERE conname = 'events_legacy_range' AND conrelid = 'events'::regclass) THEN
            EXECUTE format('ALTER TABLE events ADD CONSTRAINT events_legacy_range CHECK (event_time < %L)',
                (date_trunc('day', now() AT TIME ZONE 'UTC') + interval '2 days') AT TIME ZONE 'UTC');
        END IF;
        ALTER TABLE events VALIDATE CONSTRAINT events_legacy_range;
        SELECT substring(pg_get_constraintdef(oid) FROM '''([^'']+)''')::timestamptz INTO legacy_upper
            FROM pg_constraint WHERE conname = 'events_legacy_range' AND conrelid = 'events'::regclass;
        ALTER TABLE events RENAME TO events_legacy;
        ALTER TABLE events_legacy DROP CONSTRAINT events_pkey;
        ALTER TABLE events_legacy ADD CONSTRAINT events_legacy_pkey PRIMARY KEY USING INDEX events_legacy_key;
        ALTER INDEX events_user_id_event_time_idx RENAME TO events_legacy_user_id_event_time_idx;
        ALTER INDEX events_event_type_event_time_idx RENAME TO events_legacy_event_type_event_time_idx;
    ELSE
        DROP TABLE events;
    END IF;

    CREATE TABLE events (
        event_id       uuid        NOT NULL,
        user_id        bigint      NOT NULL,
        event_type     text        NOT NULL,
        page           text        NOT NULL,
        event_time     timestamptz NOT NULL,
        received_at    timestamptz,
        session_id     text,
        referrer       text,
        properties     jsonb,
        stored_at      timestamptz NOT NULL DEFAULT now(),
        user_agent     text,
        client_address inet,
        PRIMARY KEY (event_id, event_time)
    ) PARTITION BY RANGE (event_time);
    CREATE INDEX events_user_id_event_time_idx ON events (user_id, event_time);
    CREATE INDEX events_event_type_event_time_idx ON events (event_type, event_time);
    IF legacy_upper IS NOT NULL THEN
        -- The valid CHECK proves the range: no scan. The legacy table's indexes match the parent's: adopted, not rebuilt.
        EXECUTE format('ALTER TABLE events ATTACH PARTITION events_legacy FOR VALUES FROM (MINVALUE) TO (%L)', legacy_upper);
    END IF;
    CREATE TABLE events_default PARTITION OF events DEFAULT;
END
$$;

-- Recorded last: a run interrupted before here is simply run again.
INSERT INTO clickstream_schema (version, description) VALUES
    (1, 'events table with its user and event type indexes'),
    (2, 'events.user_agent and events.client_address'),
    (3, 'events partitioned by range on event_time, unique key (event_id, event_time)')
ON CONFLICT (version) DO NOTHING;
