using Clickstream.Consumers.Storage.Partitions;
using Npgsql;

namespace Clickstream.Benchmarks.Infrastructure;

/// <summary>
/// A partitioned events table as it stands after weeks of use: daily partitions up to today (made by the worker's own
/// statement) and the ones the worker makes ahead, the past ones full, and the same rows in a single table beside it.
/// Rows are made by the server (generate_series), so a million of them take seconds. Their ids are UUIDv7 made from
/// their event_time (as the tracker's and <c>Guid.CreateVersion7()</c>'s are, made with the event), the rest of the
/// bits from <c>md5(n)</c>: the same in both databases.
/// </summary>
public static class DailyPartitions
{
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    /// <summary>
    /// Makes <paramref name="partitions"/> daily partitions in all (the worker already made today's and the ones ahead)
    /// and fills each from the oldest to today's with <paramref name="rowsPerPartition"/> rows, in both databases.
    /// Returns the rows each holds.
    /// </summary>
    public static async Task<long> FillAsync(EventsDatabase partitioned, EventsDatabase single, int partitions, int rowsPerPartition,
        CancellationToken cancellationToken)
    {
        await using var connection = await partitioned.DataSource.OpenConnectionAsync(cancellationToken);
        var existing = await EventPartitions.ListAsync(connection, cancellationToken);
        var dated = existing.Where(p => !p.IsDefault).OrderBy(p => p.From).ToList();
        var today = new DateTimeOffset(DateTimeOffset.UtcNow.UtcDateTime.Date, TimeSpan.Zero);
        var ahead = dated.Count(p => p.From > today);
        var oldest = today - (Day * Math.Max(partitions - 1 - ahead, 0));
        var grid = new PartitionGrid(Day);
        for (var start = oldest; start < dated[0].From; start += Day)
        {
            await EventPartitions.CreateAsync(connection, grid.NameOf(start), start, start + Day, cancellationToken);
        }

        var days = (int)((today - oldest) / Day) + 1;
        var rows = (long)days * rowsPerPartition;
        foreach (var database in new[] { partitioned, single })
        {
            await using var command = database.DataSource.CreateCommand("""
                INSERT INTO events (event_id, user_id, event_type, page, event_time, received_at, session_id, referrer, properties)
                SELECT (lpad(to_hex((extract(epoch FROM t) * 1000)::bigint), 12, '0') || '7' || substr(h, 1, 3)
                        || substr('89ab', (n % 4)::int + 1, 1) || substr(h, 4, 15))::uuid,
                       1 + n % 10000, CASE WHEN n % 3 = 0 THEN 'page_view' ELSE 'click' END, '/products/' || n % 50,
                       t, t + interval '20 milliseconds', 's-' || n % 200, CASE WHEN n % 2 = 0 THEN 'https://example.com/' END,
                       CASE WHEN n % 4 <> 0 THEN jsonb_build_object('button', 'buy', 'index', n) END
                FROM generate_series(0, @rows - 1) n,
                     LATERAL (SELECT @oldest + (n * @seconds / @rows) * interval '1 second', md5(n::text)) AS at(t, h)
                """);
            command.CommandTimeout = 0;
            command.Parameters.AddWithValue("rows", rows);
            command.Parameters.AddWithValue("oldest", oldest);
            command.Parameters.AddWithValue("seconds", (double)days * Day.TotalSeconds);
            await command.ExecuteNonQueryAsync(cancellationToken);
            await using var analyze = database.DataSource.CreateCommand("VACUUM ANALYZE events");
            analyze.CommandTimeout = 0;
            await analyze.ExecuteNonQueryAsync(cancellationToken);
        }
        return rows;
    }

    /// <summary><paramref name="count"/> ids of stored rows, picked at random.</summary>
    public static async Task<List<Guid>> SampleIdsAsync(EventsDatabase database, int count, CancellationToken cancellationToken)
    {
        await using var command = database.DataSource.CreateCommand("SELECT event_id FROM events ORDER BY random() LIMIT @count");
        command.Parameters.AddWithValue("count", count);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var ids = new List<Guid>(count);
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetGuid(0));
        }
        return ids;
    }

    internal static async Task<List<EventPartition>> ListAsync(EventsDatabase database, CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        return await EventPartitions.ListAsync(connection, cancellationToken);
    }
}
