using Npgsql;

namespace Clickstream.Consumers.Storage;

/// <summary>
/// Before init.sql's version 3 turns a populated single <c>events</c> table into the partition <c>events_legacy</c>: the
/// two things the attach needs that take time, built without blocking writes, so the switch under the table's lock is
/// a matter of milliseconds whatever the table's size. The unique index on (event_id, event_time) is built CONCURRENTLY
/// (an interrupted build leaves it INVALID: dropped and built again), and the CHECK on event_time is added NOT VALID and
/// then validated (a scan that lets COPY go on). Every step is skipped when done, so an interrupted run is simply run again.
/// </summary>
internal static class LegacyTablePreparation
{
    /// <summary>True when there was something to prepare: a single events table with rows.</summary>
    public static async Task<bool> PrepareAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        if (!await ScalarAsync<bool>(connection,
            "SELECT coalesce((SELECT relkind = 'r' FROM pg_class WHERE oid = to_regclass('events')), false)", cancellationToken)
            || !await ScalarAsync<bool>(connection, "SELECT EXISTS (SELECT FROM events)", cancellationToken))
        {
            return false;
        }
        if (await ScalarAsync<bool>(connection,
            "SELECT EXISTS (SELECT FROM pg_index WHERE indexrelid = to_regclass('events_legacy_key') AND NOT indisvalid)", cancellationToken))
        {
            await ExecuteAsync(connection, "DROP INDEX CONCURRENTLY events_legacy_key", cancellationToken);
        }
        await ExecuteAsync(connection, "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS events_legacy_key ON events (event_id, event_time)", cancellationToken);
        // The same bound init.sql would choose: a UTC midnight at least a day away, so events arriving meanwhile fit it.
        await ExecuteAsync(connection, """
            DO $$
            BEGIN
                IF NOT EXISTS (SELECT FROM pg_constraint WHERE conname = 'events_legacy_range' AND conrelid = 'events'::regclass) THEN
                    EXECUTE format('ALTER TABLE events ADD CONSTRAINT events_legacy_range CHECK (event_time < %L) NOT VALID',
                        (date_trunc('day', now() AT TIME ZONE 'UTC') + interval '2 days') AT TIME ZONE 'UTC');
                END IF;
            END
            $$
            """, cancellationToken);
        await ExecuteAsync(connection, "ALTER TABLE events VALIDATE CONSTRAINT events_legacy_range", cancellationToken);
        return true;
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    // No command timeout: an index over a billion rows takes as long as it takes; a stop cancels it.
    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
