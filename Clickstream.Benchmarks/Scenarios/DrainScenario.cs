using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Clickstream.Benchmarks.Ceilings;
using Clickstream.Benchmarks.Hosts;
using Clickstream.Benchmarks.Infrastructure;
using Clickstream.Benchmarks.Reporting;
using Microsoft.Extensions.DependencyInjection;

namespace Clickstream.Benchmarks.Scenarios;

/// <summary>
/// drain: K events wait on raw_events, then the worker starts (a fresh consumer group each time, so it reads from the
/// start) and the clock runs until every row is in <c>events</c>. Each batch size is judged against a raw COPY of
/// the same rows at the same batch size. With a warm-up (the default), one drain runs first and is reported as the cold
/// start. Each drain also reports its second half apart (the worker warm, after half the rows). With
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
            // at the end): it runs first, so the measured drains are the worker's steady state, and it is reported apart
            // as the cold start (time and CPU until the first stored row, in a process that ran no worker yet).
            await run.MeasureAsync("cold start: the first drain in this process (also the warm-up)",
                async () => await DrainAsync(run, batchSizes[0], infrastructure.Partitioned) with { Name = $"cold drain ({batchSizes[0]})", Role = "baseline" });
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
        var figures = drained.Meter.Figures("consumer");
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

        using var inserted = new InsertedRows();
        var meter = DrainMeter.Start(infrastructure.Postgres?.DataDirectory, o.Events);
        long committed = 0;
        run.Progress.Report(() => $"{meter.Elapsed.TotalSeconds,5:F1}s  stored {committed,10:N0} of {o.Events:N0}");
        using var host = await PipelineConsumers.StartAsync(
            infrastructure.Broker.BootstrapServers, database.ConnectionString, $"bench-drain-{batchSize}-{Guid.NewGuid():N}", batchSize, run.CancellationToken,
            telemetry, managePartitions: database.Partitioned);
        var started = meter.Elapsed;
        run.Tunables["Ingestion:ConcurrencyLimit / TimeLimit"] = PipelineConsumers.ConcurrencyAndTimeLimit(host);
        // The worker's own count of committed rows costs nothing to read, so it is read often: the drain ends within
        // 10 ms of its last commit. Only this host's rows count (another host may run in the process: the tests').
        var meters = host.Services.GetRequiredService<IMeterFactory>();
        while (committed < o.Events && meter.Elapsed < o.DrainTimeout)
        {
            await Task.Delay(10, run.CancellationToken);
            committed = inserted.CountOf(meters);
            meter.Observe(committed);
        }
        var done = meter.Stop(committed);
        run.Progress.Clear();
        await host.StopAsync(CancellationToken.None);
        var stored = await EventsTable.CountAsync(database.DataSource, run.CancellationToken);

        return new PhaseResult
        {
            Name = telemetry ? $"drain ({batchSize}{database.Suffix})" : $"drain ({batchSize}, telemetry off)",
            Role = telemetry && database.Partitioned ? "pipeline" : "baseline",
            Unit = "rows/s",
            Throughput = stored / done.TotalSeconds,
            Figures = new(meter.Figures("worker"))
            {
                ["stored"] = stored,
                ["complete"] = stored >= o.Events ? 1 : 0,
                ["seconds to all stored"] = done.TotalSeconds,
                ["seconds to start"] = started.TotalSeconds,
            },
        };
    }
}
