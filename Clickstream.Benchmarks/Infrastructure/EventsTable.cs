using Npgsql;

namespace Clickstream.Benchmarks.Infrastructure;

/// <summary>The few queries the benchmark runs against <c>events</c> to watch the pipeline.</summary>
public static class EventsTable
{
    public static async Task TruncateAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("TRUNCATE events", connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Exact, so it scans: fine for the drain's few hundred thousand rows, too slow to poll a long end-to-end run.</summary>
    public static async Task<long> CountAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT count(*) FROM events");
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// Rows inserted so far according to the statistics collector: cheap at any size, flushed by each backend about
    /// once a second, so up to a second late. For live progress only; totals come from <see cref="CountAsync"/>. Rows are
    /// counted where they are: in the partitions of a partitioned table, in the table itself otherwise.
    /// </summary>
    public static async Task<long> InsertedAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT coalesce(sum(n_tup_ins), 0)::bigint FROM pg_stat_user_tables
            WHERE relid = 'events'::regclass OR relid IN (SELECT relid FROM pg_partition_tree('events') WHERE isleaf)
            """);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Percentiles of stored_at − received_at in milliseconds over the rows the API stamped.</summary>
    public static async Task<(double P50, double P99, double Max)> StoreDelayAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY d), 0),
                   coalesce(percentile_cont(0.99) WITHIN GROUP (ORDER BY d), 0),
                   coalesce(max(d), 0)
            FROM (SELECT extract(epoch FROM stored_at - received_at) * 1000 AS d FROM events WHERE received_at IS NOT NULL) delays
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetDouble(0), reader.GetDouble(1), reader.GetDouble(2));
    }
}
