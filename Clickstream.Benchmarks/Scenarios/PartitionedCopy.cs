using System.Diagnostics;
using Clickstream.Benchmarks.Infrastructure;
using Clickstream.Benchmarks.Load;
using Clickstream.Benchmarks.Reporting;
using Clickstream.Consumers.Configuration;
using Clickstream.Consumers.Storage;
using Clickstream.Contracts;

namespace Clickstream.Benchmarks.Scenarios;

/// <summary>
/// The store's binary COPY into the partitioned table, batch after batch on one connection for the run's duration,
/// each COPY timed. With <c>dropOldest</c>, a third of the way in the worker's maintenance job runs with a retention
/// that expires exactly the oldest partition: its DETACH needs the parent's lock for a moment, so a COPY may wait for
/// it. The longest COPY while the job runs, against the longest without it, is that pause.
/// </summary>
internal static class PartitionedCopy
{
    public static async Task<PhaseResult> RunAsync(BenchmarkRun run, EventsDatabase database, bool dropOldest)
    {
        var o = run.Options;
        var templates = Enumerable.Range(0, o.ConsumerBatchSize).Select(ClickEventPayloads.Event).ToArray();
        var batch = new ClickEvent[templates.Length];
        var durations = new List<(TimeSpan Start, TimeSpan Took)>();
        Task<(TimeSpan Start, TimeSpan End, Consumers.Storage.Partitions.MaintenanceRun? Run, string Oldest)>? maintenance = null;
        await using var connection = await database.DataSource.OpenConnectionAsync(run.CancellationToken);
        // Unmeasured first, as for the ceilings: the first COPYs of a process run cold (JIT, the server's caches).
        var warmup = Stopwatch.StartNew();
        while (warmup.Elapsed < o.Warmup && !run.CancellationToken.IsCancellationRequested)
        {
            await ClickEventCopy.WriteAsync(connection, "events", Fresh(templates, batch), run.CancellationToken);
        }
        var cpu = CpuMeter.Start(run.Infrastructure.Postgres?.DataDirectory);
        var clock = Stopwatch.StartNew();
        run.Progress.Report(() => $"{clock.Elapsed.TotalSeconds,5:F1}s  COPY batches {durations.Count:N0}");
        while (clock.Elapsed < o.Duration && !run.CancellationToken.IsCancellationRequested)
        {
            if (dropOldest && maintenance is null && clock.Elapsed >= o.Duration / 3)
            {
                maintenance = DropOldestAsync(database, clock, run.CancellationToken);
            }
            Fresh(templates, batch);
            var started = clock.Elapsed;
            await ClickEventCopy.WriteAsync(connection, "events", batch, run.CancellationToken);
            durations.Add((started, clock.Elapsed - started));
        }
        var elapsed = clock.Elapsed;
        var used = cpu.Elapsed();
        run.Progress.Clear();

        var rows = (double)durations.Count * batch.Length;
        var sorted = durations.Select(d => d.Took.TotalMilliseconds).Order().ToList();
        var figures = new Dictionary<string, double>(used.PerRow(rows, "COPY client"))
        {
            ["batches"] = durations.Count,
            ["COPY p50 ms"] = sorted[sorted.Count / 2],
            ["COPY p99 ms"] = sorted[Math.Min(sorted.Count - 1, (int)(sorted.Count * 0.99))],
            ["longest COPY ms"] = sorted[^1],
        };
        if (maintenance is not null)
        {
            var (start, end, done, oldest) = await maintenance;
            if (done is null || !done.Dropped.SequenceEqual([oldest]))
            {
                throw new InvalidOperationException($"The maintenance run was to drop {oldest} alone; it dropped "
                    + $"{string.Join(", ", done?.Dropped ?? [])} (postponed: {done?.DropsPostponed}).");
            }
            figures["maintenance run ms"] = (end - start).TotalMilliseconds;
            figures["partitions dropped"] = done.Dropped.Count;
            figures["longest COPY during the run ms"] = durations
                .Where(d => d.Start < end && d.Start + d.Took > start).Select(d => d.Took.TotalMilliseconds).DefaultIfEmpty(0).Max();
        }
        return new PhaseResult
        {
            Name = dropOldest ? "COPY while dropping a partition" : "COPY",
            Role = dropOldest ? "pipeline" : "baseline",
            Unit = "rows/s",
            Throughput = rows / elapsed.TotalSeconds,
            LatencyMs = new() { ["p50"] = figures["COPY p50 ms"], ["p99"] = figures["COPY p99 ms"], ["max"] = figures["longest COPY ms"] },
            Figures = figures,
        };
    }

    // The templates with new ids, so every row is new.
    private static ClickEvent[] Fresh(ClickEvent[] templates, ClickEvent[] batch)
    {
        for (var i = 0; i < batch.Length; i++)
        {
            batch[i] = templates[i] with { EventId = Guid.CreateVersion7() };
        }
        return batch;
    }

    // The worker's maintenance run on its own connection, with the retention that makes the oldest partition (and only
    // it) wholly expired now.
    private static async Task<(TimeSpan, TimeSpan, Consumers.Storage.Partitions.MaintenanceRun?, string)> DropOldestAsync(
        EventsDatabase database, Stopwatch clock, CancellationToken cancellationToken)
    {
        var dated = (await DailyPartitions.ListAsync(database, cancellationToken)).Where(p => !p.IsDefault).OrderBy(p => p.To).ToList();
        var oldest = dated[0];
        var retention = DateTimeOffset.UtcNow - oldest.To!.Value - TimeSpan.FromMinutes(1);
        var options = new PartitionOptions { Retention = retention };
        var start = clock.Elapsed;
        var done = await database.Maintenance(options, TimeProvider.System).RunAsync(cancellationToken);
        return (start, clock.Elapsed, done, oldest.Name);
    }
}
