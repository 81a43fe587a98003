using System.Diagnostics;
using Clickstream.Benchmarks.Infrastructure;
using Clickstream.Benchmarks.Reporting;
using Clickstream.Contracts;
using Npgsql;
using Clickstream.Consumers.Storage;

namespace Clickstream.Benchmarks.Ceilings;

/// <summary>
/// The storage ceiling: the same rows, binary COPY straight into the same <c>events</c> table (primary key and
/// indexes included), one COPY per batch on one connection, no Kafka, no MassTransit, no duplicate handling.
/// The table is emptied before and after, so the pipeline phase that follows starts from the same state; a first pass
/// of up to 20,000 rows is copied unmeasured.
/// </summary>
public static class RawCopyCeiling
{
    private const int WarmupRows = 20_000;

    /// <summary>The ceiling as a phase of the report: rows/s, and CPU per row of this process and of PostgreSQL.</summary>
    public static async Task<PhaseResult> PhaseAsync(BenchmarkInfrastructure infrastructure, EventsDatabase database, IReadOnlyList<ClickEvent> rows,
        int batchSize, CancellationToken cancellationToken)
    {
        var (rowsPerSecond, cpu) = await MeasureAsync(database.ConnectionString, infrastructure.Postgres?.DataDirectory, rows, batchSize, cancellationToken);
        return new PhaseResult
        {
            Name = $"raw COPY ({batchSize}{database.Suffix})", Role = database.Partitioned ? "ceiling" : "baseline", Unit = "rows/s", Throughput = rowsPerSecond,
            Figures = cpu.PerRow(rows.Count, "COPY client"),
        };
    }

    /// <returns>Rows per second, and the CPU the timed COPYs took (this process, PostgreSQL).</returns>
    public static async Task<(double RowsPerSecond, CpuSeconds Cpu)> MeasureAsync(string connectionString, string? postgresDataDirectory,
        IReadOnlyList<ClickEvent> rows, int batchSize, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await EventsTable.TruncateAsync(connection, cancellationToken);

        // Unmeasured first: a cold COPY path (JIT, the server's caches) measured half the warm rate, which flattered
        // every ratio taken against it in a scenario's first phase.
        foreach (var batch in rows.Take(WarmupRows).Chunk(batchSize))
        {
            await ClickEventCopy.WriteAsync(connection, "events", batch, cancellationToken);
        }
        await EventsTable.TruncateAsync(connection, cancellationToken);

        // Slices are made before the clock starts: only the COPY is timed.
        var batches = rows.Chunk(batchSize).ToList();
        var cpu = CpuMeter.Start(postgresDataDirectory);
        var clock = Stopwatch.StartNew();
        foreach (var batch in batches)
        {
            // The store's own COPY code, without its Kafka, MassTransit and duplicate handling around it.
            await ClickEventCopy.WriteAsync(connection, "events", batch, cancellationToken);
        }
        var elapsed = clock.Elapsed;
        var used = cpu.Elapsed();

        await EventsTable.TruncateAsync(connection, cancellationToken);
        return (rows.Count / elapsed.TotalSeconds, used);
    }
}
