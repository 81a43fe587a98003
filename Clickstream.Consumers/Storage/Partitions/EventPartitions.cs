using System.Globalization;
using Npgsql;

namespace Clickstream.Consumers.Storage.Partitions;

/// <summary>
/// The statements that keep the partitions of <c>events</c>. A partition is made as a table of its own (LIKE events)
/// and then attached, which locks the parent only in SHARE UPDATE EXCLUSIVE mode, so COPY goes on meanwhile (CREATE
/// TABLE ... PARTITION OF would lock it out). Rows of its range waiting in the default partition move into it in the
/// same transaction. A partition is dropped by DETACH and DROP, which need the parent's ACCESS EXCLUSIVE lock for a
/// moment: with a short lock timeout, so a long COPY makes the drop wait for the next run instead of making every COPY
/// queue behind it.
/// </summary>
internal static class EventPartitions
{
    public const string Default = "events_default";

    /// <summary>Longest wait for the parent's lock before a drop gives up until the next run.</summary>
    public static readonly TimeSpan DropLockTimeout = TimeSpan.FromSeconds(1);

    public static async Task<List<EventPartition>> ListAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            SELECT c.relname,
                   (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \(''([^'']+)''\)'))[1]::timestamptz,
                   (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \(''([^'']+)''\)'))[1]::timestamptz
            FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'events'::regclass
            ORDER BY 3 NULLS LAST
            """, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var partitions = new List<EventPartition>();
        while (await reader.ReadAsync(cancellationToken))
        {
            partitions.Add(new EventPartition(reader.GetString(0),
                reader.IsDBNull(1) ? null : reader.GetFieldValue<DateTimeOffset>(1),
                reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2)));
        }
        return partitions;
    }

    /// <summary>Creates the partition [from, to) and moves into it what the default partition holds of that range; returns the rows moved.</summary>
    public static async Task<long> CreateAsync(NpgsqlConnection connection, string name, DateTimeOffset from, DateTimeOffset to,
        CancellationToken cancellationToken)
    {
        var range = $"FROM ({Literal(from)}) TO ({Literal(to)})";
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // The parent first, as TRUNCATE and DETACH take them, so no two of them wait for each other; this mode lets COPY go on.
        // Then no new row may reach the default partition's share of the range while it moves: ATTACH checks it is empty.
        await ExecuteAsync(connection, $"LOCK TABLE events IN SHARE UPDATE EXCLUSIVE MODE; LOCK TABLE {Default} IN SHARE ROW EXCLUSIVE MODE",
            cancellationToken);
        await ExecuteAsync(connection, $"""
            CREATE TABLE {name} (LIKE events INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES);
            ALTER TABLE {name} ADD CONSTRAINT {name}_range CHECK (event_time >= {Literal(from)} AND event_time < {Literal(to)})
            """, cancellationToken);
        var moved = await ExecuteAsync(connection, $"""
            WITH moved AS (DELETE FROM {Default} WHERE event_time >= {Literal(from)} AND event_time < {Literal(to)} RETURNING *)
            INSERT INTO {name} SELECT * FROM moved
            """, cancellationToken);
        // The CHECK spares ATTACH a scan of the new partition; it is redundant once attached.
        await ExecuteAsync(connection, $"""
            ALTER TABLE events ATTACH PARTITION {name} FOR VALUES {range};
            ALTER TABLE {name} DROP CONSTRAINT {name}_range
            """, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return moved;
    }

    /// <summary>The starts of the grid cells the default partition holds rows of.</summary>
    public static async Task<List<DateTimeOffset>> DefaultCellsAsync(NpgsqlConnection connection, TimeSpan interval, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"SELECT DISTINCT to_timestamp(floor(extract(epoch FROM event_time) / @seconds) * @seconds) FROM {Default} ORDER BY 1", connection);
        command.Parameters.AddWithValue("seconds", interval.TotalSeconds);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var cells = new List<DateTimeOffset>();
        while (await reader.ReadAsync(cancellationToken))
        {
            cells.Add(reader.GetFieldValue<DateTimeOffset>(0));
        }
        return cells;
    }

    /// <summary>Deletes the default partition's rows older than <paramref name="before"/> (past the retention); returns how many.</summary>
    public static Task<int> DeleteExpiredDefaultRowsAsync(NpgsqlConnection connection, DateTimeOffset before, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, $"DELETE FROM {Default} WHERE event_time < {Literal(before)}", cancellationToken);

    /// <summary>
    /// Detaches and drops a partition; returns its row estimate (the planner's, not a count: counting would read it
    /// all), or null when the parent's lock was not had within <see cref="DropLockTimeout"/>.
    /// </summary>
    public static async Task<long?> DropAsync(NpgsqlConnection connection, string name, CancellationToken cancellationToken)
    {
        await using var estimate = new NpgsqlCommand("SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = to_regclass(@name)", connection);
        estimate.Parameters.AddWithValue("name", name);
        var rows = (long)(await estimate.ExecuteScalarAsync(cancellationToken) ?? 0L);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            await ExecuteAsync(connection, $"""
                SET LOCAL lock_timeout = '{(int)DropLockTimeout.TotalMilliseconds}ms';
                ALTER TABLE events DETACH PARTITION {name};
                DROP TABLE {name}
                """, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return rows;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
        {
            await transaction.RollbackAsync(CancellationToken.None);
            return null;
        }
    }

    private static string Literal(DateTimeOffset time) =>
        "'" + time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + "+00'";

    private static async Task<int> ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
