using System.Diagnostics;
using System.Globalization;
using Clickstream.Benchmarks.Ceilings;
using Clickstream.Benchmarks.Hosts;
using Clickstream.Benchmarks.Infrastructure;
using Clickstream.Benchmarks.Reporting;

namespace Clickstream.Benchmarks.Scenarios;

/// <summary>
/// drain: K events wait on raw_events, then the worker starts (a fresh consumer group each time, so it reads from the
/// start) and the clock runs until every row is in <c>events</c>. Each batch size is judged against a raw COPY of
/// the same rows at the same batch size. With a warm-up (the default), one unmeasured drain runs first. With
/// <see cref="Cli.BenchmarkOptions.CompareSingleTable"/>, the raw COPY and the drain run again on a single, unpartitioned
/// table, for the ratios partitioned / single.
/// </summary>
public static class DrainScenario
{
    /// <summary>
    /// The embedded broker keeps ~5 MB per partition and drops older data past it. An event on the wire (JSON value,
    /// key, headers, record overhead) takes up to ~500 bytes, so 10k per partition already overflowed (a 200k drain
    /// lost ~400 events to retention): keep it to 5k per partition.
    /// </summary>
    public static int PartitionsFor(int events) => Math.Max(12, (events + 4_999) / 5_000);

    // The worker's default Ingestion:TimeLimit, which the plain consumer keeps as well.
    private static readonly TimeSpan TimeLimit = new Clickstream.Consumers.Configuration.IngestionBatchOptions().TimeLimit;

    public static async Task RunAsync(BenchmarkRun run)
    {
        var o = run.Options;
        var infrastructure = run.Infrastructure;
        run.Progress.Phase($"preloading {o.Events:N0} events on {infrastructure.Partitions} partitions");
        var clock = Stopwatch.StartNew();
        var rows = await PreloadedEvents.ProduceAsync(infrastructure.Broker.BootstrapServers, o.Events, o.LingerMs, run.CancellationToken);
        run.Progress.Write($"  preloaded in {clock.Elapsed.TotalSeconds:F1}s ({o.Events / clock.Elapsed.TotalSeconds:N0} msg/s)");

        var batchSizes = o.Sweep ? o.SweepBatchSizes : [o.ConsumerBatchSize];
        run.Tunables["events"] = o.Events.ToString(CultureInfo.InvariantCulture);
        run.Tunables["consumer batch sizes"] = string.Join(" ", batchSizes);
        foreach (var (key, value) in PipelineConsumers.Settings("…", "…", "bench-drain-<batch>", batchSizes[0]))
        {
            if (key.StartsWith("Ingestion:", StringComparison.Ordinal) || key.StartsWith("Kafka:ConsumerSettings", StringComparison.Ordinal))
            {
                run.Tunables[key] = key == "Ingestion:MessageLimit" ? "(batch size)" : value ?? "";
            }
        }

        if (o.Warmup > TimeSpan.Zero)
        {
            // A first drain in a fresh process is mostly JIT (a fifth of its CPU in the profile, the rate still rising
            // at the end): drain once unmeasured, so the figures are the worker's steady state, not its start-up.
            run.Progress.Phase("warm-up: one unmeasured drain");
            await DrainAsync(run, batchSizes[0], infrastructure.Partitioned);
        }

        var partitioned = infrastructure.Partitioned;
        var single = o.CompareSingleTable ? await infrastructure.SingleTableAsync(run.CancellationToken) : null;
        foreach (var batchSize in batchSizes)
        {
            PhaseResult? ceiling = null, plain = null, singleCeiling = null;
            if (!o.SkipCeilings)
            {
                ceiling = await run.MeasureAsync($"storage ceiling: raw binary COPY, batches of {batchSize:N0}",
                    () => RawCopyCeiling.PhaseAsync(infrastructure, partitioned, rows, batchSize, run.CancellationToken));
                if (single is not null)
                {
                    singleCeiling = await run.MeasureAsync($"storage ceiling on the single table: raw binary COPY, batches of {batchSize:N0}",
                        () => RawCopyCeiling.PhaseAsync(infrastructure, single, rows, batchSize, run.CancellationToken));
                }
                plain = await run.MeasureAsync($"consumer ceiling: plain Confluent consumer + COPY, batches of {batchSize:N0}",
                    () => PlainConsumerAsync(run, batchSize));
            }
            var drain = await run.MeasureAsync($"pipeline: drain with consumer batches of {batchSize:N0}", () => DrainAsync(run, batchSize, partitioned));
            run.Ratio(drain, plain);
            run.Ratio(drain, ceiling);
            if (single is not null)
            {
                var drainSingle = await run.MeasureAsync($"pipeline on the single table: drain with consumer batches of {batchSize:N0}",
                    () => DrainAsync(run, batchSize, single));
                run.Ratio(drain, drainSingle);
                if (ceiling is not null)
                {
                    run.Ratio(ceiling, singleCeiling);
                }
            }
            if (o.CompareTelemetryOff)
            {
                var off = await run.MeasureAsync($"pipeline: drain with consumer batches of {batchSize:N0}, OpenTelemetry off",
                    () => DrainAsync(run, batchSize, partitioned, telemetry: false));
                run.Ratio(drain, off);
            }
        }
    }

    private static async Task<PhaseResult> PlainConsumerAsync(BenchmarkRun run, int batchSize)
    {
        var infrastructure = run.Infrastructure;
        var drained = await PlainConsumerCeiling.DrainAsync(infrastructure.Broker.BootstrapServers, infrastructure.ConnectionString,
            infrastructure.Postgres?.DataDirectory, run.Options.Events, batchSize, TimeLimit, run.Options.DrainTimeout, run.CancellationToken);
        var figures = drained.Cpu.PerRow(Math.Max(drained.Rows, 1), "consumer");
        figures["stored"] = drained.Rows;
        figures["complete"] = drained.Rows >= run.Options.Events ? 1 : 0;
        figures["seconds to all stored"] = drained.Elapsed.TotalSeconds;
        return new PhaseResult
        {
            Name = $"plain consumer ({batchSize})", Role = "ceiling", Unit = "rows/s",
            Throughput = drained.Rows / drained.Elapsed.TotalSeconds,
            Figures = figures,
        };
    }

    private static async Task<PhaseResult> DrainAsync(BenchmarkRun run, int batchSize, EventsDatabase database, bool telemetry = true)
    {
        var o = run.Options;
        var infrastructure = run.Infrastructure;
        await using (var connection = await database.DataSource.OpenConnectionAsync(run.CancellationToken))
        {
            await EventsTable.TruncateAsync(connection, run.CancellationToken);
        }

        long stored = 0;
        TimeSpan? firstRow = null;
        var cpu = CpuMeter.Start(infrastructure.Postgres?.DataDirectory);
        var clock = Stopwatch.StartNew();
        run.Progress.Report(() => $"{clock.Elapsed.TotalSeconds,5:F1}s  stored {Interlocked.Read(ref stored),10:N0} of {o.Events:N0}");
        using var host = await PipelineConsumers.StartAsync(
            infrastructure.Broker.BootstrapServers, database.ConnectionString, $"bench-drain-{batchSize}-{Guid.NewGuid():N}", batchSize, run.CancellationToken,
            telemetry, managePartitions: database.Partitioned);
        var started = clock.Elapsed;
        run.Tunables["Ingestion:ConcurrencyLimit / TimeLimit"] = PipelineConsumers.ConcurrencyAndTimeLimit(host);
        while (stored < o.Events && clock.Elapsed < o.DrainTimeout)
        {
            await Task.Delay(100, run.CancellationToken);
            Interlocked.Exchange(ref stored, await EventsTable.CountAsync(database.DataSource, run.CancellationToken));
            if (stored > 0)
            {
                firstRow ??= clock.Elapsed;
            }
        }
        var done = clock.Elapsed;
        var used = cpu.Elapsed();
        run.Progress.Clear();
        await host.StopAsync(CancellationToken.None);

        return new PhaseResult
        {
            Name = telemetry ? $"drain ({batchSize}{database.Suffix})" : $"drain ({batchSize}, telemetry off)",
            Role = telemetry && database.Partitioned ? "pipeline" : "baseline",
            Unit = "rows/s",
            Throughput = stored / done.TotalSeconds,
            Figures = new(used.PerRow(Math.Max(stored, 1), "worker"))
            {
                ["stored"] = stored,
                ["complete"] = stored >= o.Events ? 1 : 0,
                ["seconds to all stored"] = done.TotalSeconds,
                ["seconds to start"] = started.TotalSeconds,
                ["seconds to first row"] = (firstRow ?? done).TotalSeconds,
                ["rows/s after first row"] = stored / Math.Max((done - (firstRow ?? TimeSpan.Zero)).TotalSeconds, 0.001),
            },
        };
    }
}
