-- Clickstream schema: the single source of truth. Applied by PostgreSQL's docker initdb and by the
-- services at start, so every statement is idempotent.

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
