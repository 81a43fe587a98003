using System.Text.Json;
using Clickstream.Benchmarks.Cli;
using Clickstream.Benchmarks.Reporting;
using Clickstream.Benchmarks.Scenarios;

namespace Clickstream.Tests.Benchmarks;

/// <summary>
/// Each benchmark scenario runs for about a second with tiny sizes, so the benchmark cannot rot. Only that it completes
/// and reports what it should is asserted; figures never are (a test never depends on speed). One class, so the
/// scenarios run one after the other and do not fight over the 2 cores.
/// </summary>
public sealed class BenchmarkSmokeTests : IDisposable
{
    private readonly string results = Path.Combine(Path.GetTempPath(), "clickstream-bench-smoke-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Ingest_single_reports_the_api_against_its_three_ceilings()
    {
        var report = await RunAsync(Tiny(Scenario.IngestSingle));

        AssertPhases(report, "broker ceiling", "HTTP ceiling", "ack ceiling", "api");
        var api = report.Phases.Single(p => p.Name == "api");
        Assert.Equal("req/s", api.Unit);
        Assert.All(["p50", "p95", "p99"], key => Assert.Contains(key, api.LatencyMs.Keys));
        Assert.Contains("benchmark process", api.PeakMemoryMiB.Keys);
        Assert.Equal(["ack ceiling", "HTTP ceiling", "broker ceiling"], report.Ratios.Select(r => r.Ceiling));
        Assert.Contains("linger.ms", report.Tunables.Keys);
    }

    [Fact]
    public async Task Ingest_batch_reports_events_per_second()
    {
        var report = await RunAsync(Tiny(Scenario.IngestBatch) with { BatchSize = 10 });

        AssertPhases(report, "broker ceiling", "HTTP ceiling", "ack ceiling", "api");
        Assert.Equal("events/s", report.Phases.Single(p => p.Name == "api").Unit);
        Assert.Equal("10", report.Tunables["events per request"]);
        // The CPU per accepted event of the API's phase and of the parse-only ceiling, whose difference is the API's own.
        Assert.All(report.Phases.Where(p => p.Name is "api" or "HTTP ceiling"), p => Assert.True(p.Figures["process CPU µs/accepted event"] > 0));
    }

    [Fact]
    public async Task Drain_sweep_reports_each_batch_size_against_a_raw_copy_and_a_plain_consumer_of_the_same_rows_with_cpu_per_row()
    {
        var report = await RunAsync(Tiny(Scenario.Drain) with { Sweep = true, SweepBatchSizes = [100, 1000] });

        AssertPhases(report, "cold drain (100)", "raw COPY (100)", "plain consumer (100)", "drain (100)", "raw COPY (1000)", "plain consumer (1000)", "drain (1000)");
        var drain = report.Phases.Single(p => p.Name == "drain (1000)");
        // The cold start is reported apart: time and CPU to the first row of a process's first drain.
        var cold = report.Phases.Single(p => p.Name == "cold drain (100)");
        Assert.InRange(cold.Figures["seconds to first row"], 0.001, cold.Figures["seconds to all stored"]);
        Assert.True(cold.Figures["worker CPU s to first row"] > 0);
        Assert.True(drain.Figures["allocated bytes/row"] > 0);
        Assert.Equal(1, drain.Figures["complete"]);
        Assert.Equal(1, report.Phases.Single(p => p.Name == "plain consumer (1000)").Figures["complete"]);
        Assert.Contains("postgres", drain.PeakMemoryMiB.Keys);
        // The worker's start alone takes far more than the 10 ms /proc counts in; PostgreSQL's share of a tiny drain may round to 0.
        Assert.True(drain.Figures["worker CPU µs/row"] > 0);
        Assert.True(drain.Figures["postgres CPU µs/row"] >= 0);
        Assert.Equal(4, report.Ratios.Count);
    }

    [Fact]
    public async Task Drain_on_the_partitioned_table_is_judged_against_the_same_on_a_single_table()
    {
        var report = await RunAsync(Tiny(Scenario.Drain) with { CompareSingleTable = true });

        AssertPhases(report, "cold drain (100)", "raw COPY (100)", "raw COPY (100, single table)", "plain consumer (100)", "drain (100)", "drain (100, single table)");
        Assert.All(report.Phases.Where(p => p.Name.StartsWith("drain", StringComparison.Ordinal)), p => Assert.Equal(1, p.Figures["complete"]));
        Assert.Contains(report.Ratios, r => r is { Pipeline: "drain (100)", Ceiling: "drain (100, single table)" });
        Assert.Contains(report.Ratios, r => r is { Pipeline: "raw COPY (100)", Ceiling: "raw COPY (100, single table)" });
    }

    [Fact]
    public async Task End_to_end_reports_stored_events_backlog_and_store_delay_on_both_layouts()
    {
        var report = await RunAsync(Tiny(Scenario.EndToEnd) with { BatchSize = 10, Duration = TimeSpan.FromSeconds(2), CompareSingleTable = true });

        AssertPhases(report, "raw COPY (100)", "raw COPY (100, single table)", "end-to-end stored", "end-to-end stored, single table");
        foreach (var pipeline in report.Phases.Where(p => p.Name.StartsWith("end-to-end", StringComparison.Ordinal)))
        {
            Assert.Equal(1, pipeline.Figures["complete"]);
            Assert.True(pipeline.Figures["stored"] > 0);
            Assert.Contains("received→stored p99", pipeline.LatencyMs.Keys);
            Assert.NotEmpty(pipeline.Samples);
            Assert.All(pipeline.Samples, s => Assert.Contains("backlog", s.Keys));
        }
        Assert.Contains(report.Ratios, r => r is { Pipeline: "end-to-end stored", Ceiling: "end-to-end stored, single table" });
    }

    [Fact]
    public async Task Partitions_reports_lookups_on_both_layouts_copy_while_a_partition_is_dropped_and_the_upgrade()
    {
        var report = await RunAsync(Tiny(Scenario.Partitions) with { TablePartitions = 6, RowsPerPartition = 500, Duration = TimeSpan.FromSeconds(2) });

        AssertPhases(report, "GET /events/{id}, 6 partitions", "GET /events/{id}, single table", "GET /events/{id}, 6 partitions, not stored",
            "COPY", "COPY while dropping a partition", "upgrade to partitioned");
        Assert.All(report.Phases.Take(2), p => Assert.Equal(["200"], p.Outcomes.Keys));
        Assert.Equal(["404"], report.Phases[2].Outcomes.Keys);
        var dropping = report.Phases.Single(p => p.Name == "COPY while dropping a partition");
        Assert.Equal(1, dropping.Figures["partitions dropped"]);
        Assert.Contains("longest COPY during the run ms", dropping.Figures.Keys);
        var upgrade = report.Phases.Single(p => p.Name == "upgrade to partitioned");
        Assert.Equal(3 * 500, upgrade.Figures["rows kept"]);
        Assert.Equal(3, report.Ratios.Count);
    }

    public void Dispose()
    {
        if (Directory.Exists(results))
        {
            Directory.Delete(results, recursive: true);
        }
    }

    private static BenchmarkOptions Tiny(Scenario scenario) => new()
    {
        Scenario = scenario,
        Connections = 4,
        Duration = TimeSpan.FromSeconds(1),
        // Long enough for the first (cold, JIT-compiling) requests to finish before the measured second starts, even on
        // a busy machine: a phase with no request inside its window has no throughput to divide by.
        Warmup = TimeSpan.FromSeconds(1),
        Events = 2000,
        ConsumerBatchSize = 100,
        DrainTimeout = TimeSpan.FromSeconds(30),
    };

    private async Task<BenchmarkReport> RunAsync(BenchmarkOptions options)
    {
        var report = await BenchmarkRunner.RunAsync(options with { ResultsDirectory = results }, TextWriter.Null, CancellationToken.None);
        var (markdown, json) = await report.WriteAsync(results, CancellationToken.None);

        Assert.Contains("| phase | role | throughput |", await File.ReadAllTextAsync(markdown));
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        Assert.All(["scenario", "started_at", "commit", "machine", "tunables", "phases", "ratios"],
            key => Assert.True(document.RootElement.TryGetProperty(key, out _), $"the JSON report lacks '{key}'"));
        return report;
    }

    private static void AssertPhases(BenchmarkReport report, params string[] names)
    {
        Assert.Equal(names, report.Phases.Select(p => p.Name));
        Assert.All(report.Phases, p => Assert.Contains(p.Role, new[] { "pipeline", "ceiling", "baseline" }));
    }
}
