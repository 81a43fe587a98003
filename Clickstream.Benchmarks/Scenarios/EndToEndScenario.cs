using System.Diagnostics;
using System.Globalization;
using Clickstream.Api.Extensions;
using Clickstream.Benchmarks.Ceilings;
using Clickstream.Benchmarks.Hosts;
using Clickstream.Benchmarks.Infrastructure;
using Clickstream.Benchmarks.Load;
using Clickstream.Benchmarks.Reporting;

namespace Clickstream.Benchmarks.Scenarios;

/// <summary>
/// end-to-end: HTTP batches into the API while the worker stores them, everything on the same 2 cores. Sustained
/// stored events/s over the measured window, the backlog (accepted − stored) every second, memory every second, and
/// the delay from received_at (the API's stamp) to stored_at (the storing transaction's start). With
/// <see cref="Cli.BenchmarkOptions.CompareSingleTable"/> the same again into a single, unpartitioned table.
/// </summary>
public static class EndToEndScenario
{
    public static async Task RunAsync(BenchmarkRun run)
    {
        var o = run.Options;
        var infrastructure = run.Infrastructure;
        run.Tunables["connections"] = o.Connections.ToString(CultureInfo.InvariantCulture);
        run.Tunables["events per request"] = o.BatchSize.ToString(CultureInfo.InvariantCulture);
        run.Tunables["Ingestion:MessageLimit"] = o.ConsumerBatchSize.ToString(CultureInfo.InvariantCulture);
        run.Tunables["Api:Publishing:MaxConsumerLagBytes"] = StandaloneExtensions.EmbeddedBrokerMaxConsumerLagBytes.ToString(CultureInfo.InvariantCulture)
            + " (the standalone run's; 503 + Retry-After above it)";

        var single = o.CompareSingleTable ? await infrastructure.SingleTableAsync(run.CancellationToken) : null;
        PhaseResult? ceiling = null;
        if (!o.SkipCeilings)
        {
            var rows = Enumerable.Range(0, Math.Min(o.Events, 200_000))
                .Select(i => ClickEventPayloads.Event(i) with { EventId = Guid.CreateVersion7(), ReceivedAt = DateTimeOffset.UtcNow })
                .ToList();
            ceiling = await run.MeasureAsync($"storage ceiling: raw binary COPY, batches of {o.ConsumerBatchSize:N0}",
                () => RawCopyCeiling.PhaseAsync(infrastructure, infrastructure.Partitioned, rows, o.ConsumerBatchSize, run.CancellationToken));
            if (single is not null)
            {
                run.Ratio(ceiling, await run.MeasureAsync($"storage ceiling on the single table: raw binary COPY, batches of {o.ConsumerBatchSize:N0}",
                    () => RawCopyCeiling.PhaseAsync(infrastructure, single, rows, o.ConsumerBatchSize, run.CancellationToken)));
            }
        }

        // One group for every phase: a later phase's worker goes on from the offsets the earlier one committed, so it
        // stores only what its own load sends.
        var group = $"bench-e2e-{Guid.NewGuid():N}";
        var pipeline = await run.MeasureAsync("pipeline: API + consumers under HTTP batch load", () => PipelineAsync(run, infrastructure.Partitioned, group));
        run.Ratio(pipeline, ceiling);
        if (single is not null)
        {
            run.Ratio(pipeline, await run.MeasureAsync("pipeline on the single table: API + consumers under HTTP batch load",
                () => PipelineAsync(run, single, group)));
        }
    }

    private static async Task<PhaseResult> PipelineAsync(BenchmarkRun run, EventsDatabase database, string group)
    {
        var o = run.Options;
        var infrastructure = run.Infrastructure;
        var bootstrap = infrastructure.Broker.BootstrapServers;
        using var consumers = await PipelineConsumers.StartAsync(bootstrap, database.ConnectionString, group, o.ConsumerBatchSize, run.CancellationToken,
            managePartitions: database.Partitioned);
        run.Tunables["Ingestion:ConcurrencyLimit / TimeLimit"] = PipelineConsumers.ConcurrencyAndTimeLimit(consumers);
        await using var api = await PipelineApi.StartAsync(bootstrap, o.LingerMs, run.CancellationToken, StandaloneExtensions.EmbeddedBrokerMaxConsumerLagBytes);
        var baseline = await EventsTable.InsertedAsync(database.DataSource, run.CancellationToken);

        long accepted = 0;
        var samples = new List<Dictionary<string, double>>();
        var clock = Stopwatch.StartNew();
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
            while (await timer.WaitForNextTickAsync(sampling.Token).AsTask().ContinueWith(t => !t.IsCanceled && t.Result, TaskScheduler.Default))
            {
                var stored = await EventsTable.InsertedAsync(database.DataSource, CancellationToken.None) - baseline;
                var acceptedNow = Interlocked.Read(ref accepted);
                lock (samples)
                {
                    samples.Add(new()
                    {
                        ["t"] = Math.Round(clock.Elapsed.TotalSeconds, 1),
                        ["accepted"] = acceptedNow,
                        ["stored"] = stored,
                        ["backlog"] = acceptedNow - stored,
                        ["process MiB"] = Math.Round(ProcessMemory.CurrentMiB()),
                        ["postgres MiB"] = Math.Round(ProcessMemory.PostgresMiB(infrastructure.Postgres!.DataDirectory)),
                    });
                }
            }
        }, CancellationToken.None);

        var load = await HttpLoad.RunAsync(
            new Uri(api.BaseAddress, "events/batch"), ClickEventPayloads.Batch(o.BatchSize), o.Connections, o.Warmup, o.Duration,
            run.Progress, run.CancellationToken, events => Interlocked.Add(ref accepted, events));
        var loadEnded = clock.Elapsed;

        // Then wait (bounded) for the backlog to be stored, counting exactly.
        run.Progress.Report(() => $"draining the backlog: accepted {Interlocked.Read(ref accepted):N0}");
        long storedTotal = 0;
        while (clock.Elapsed < loadEnded + o.DrainTimeout)
        {
            storedTotal = await EventsTable.CountAsync(database.DataSource, run.CancellationToken);
            if (storedTotal >= accepted)
            {
                break;
            }
            await Task.Delay(500, run.CancellationToken);
        }
        var drained = clock.Elapsed;
        run.Progress.Clear();
        await sampling.CancelAsync();
        await sampler;
        var delay = await EventsTable.StoreDelayAsync(database.DataSource, run.CancellationToken);

        List<Dictionary<string, double>> timeline;
        lock (samples)
        {
            timeline = [.. samples];
        }
        // Sustained: rows stored during the measured window (after warm-up, until the load stopped), per second.
        var inWindow = timeline.Where(s => s["t"] >= o.Warmup.TotalSeconds && s["t"] <= loadEnded.TotalSeconds).ToList();
        // The live counts come from the statistics, which a backend may flush seconds late: a window too short for them
        // to move (a run of a few seconds) takes the exact count over the whole run instead.
        var sampled = inWindow.Count >= 2
            ? (inWindow[^1]["stored"] - inWindow[0]["stored"]) / (inWindow[^1]["t"] - inWindow[0]["t"])
            : 0;
        var sustained = sampled > 0 ? sampled : storedTotal / drained.TotalSeconds;
        var rssInWindow = inWindow.Select(s => s["process MiB"]).DefaultIfEmpty(0).ToList();

        var result = BenchmarkRun.FromHttp("end-to-end stored" + database.Suffix, database.Partitioned ? "pipeline" : "baseline", load, inEvents: true);
        return result with
        {
            Throughput = sustained,
            Unit = "stored events/s",
            LatencyMs = new()
            {
                ["request p50"] = result.LatencyMs["p50"],
                ["request p99"] = result.LatencyMs["p99"],
                ["received→stored p50"] = delay.P50,
                ["received→stored p99"] = delay.P99,
                ["received→stored max"] = delay.Max,
            },
            Figures = new(result.Figures)
            {
                ["accepted events/s"] = load.EventsPerSecond,
                ["accepted"] = accepted,
                ["stored"] = storedTotal,
                ["complete"] = storedTotal >= accepted ? 1 : 0,
                ["seconds to drain after load"] = (drained - loadEnded).TotalSeconds,
                ["max backlog"] = timeline.Select(s => s["backlog"]).DefaultIfEmpty(0).Max(),
                ["process MiB first sample"] = rssInWindow[0],
                ["process MiB last sample"] = rssInWindow[^1],
            },
            Samples = timeline,
        };
    }
}
