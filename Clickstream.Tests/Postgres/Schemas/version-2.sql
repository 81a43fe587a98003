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
-- least once, and the consumer's INSERT ... ON CONFLICT (event_id) DO NOTHING keeps the first copy.
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

-- Recorded last: a run interrupted before here is simply run again.
INSERT INTO clickstream_schema (version, description) VALUES
    (1, 'events table with its user and event type indexes'),
    (2, 'events.user_agent and events.client_address')
ON CONFLICT (version) DO NOTHING;
