-- Clickstream schema: the single source of truth. Applied by PostgreSQL's docker initdb and by the
-- services at start (when the table is missing), so every statement is idempotent. Written for PostgreSQL 15.

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
