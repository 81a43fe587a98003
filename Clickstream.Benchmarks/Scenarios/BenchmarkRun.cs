using Clickstream.Benchmarks.Cli;
using Clickstream.Benchmarks.Infrastructure;
using Clickstream.Benchmarks.Load;
using Clickstream.Benchmarks.Reporting;

namespace Clickstream.Benchmarks.Scenarios;

/// <summary>What a scenario works with and fills in: the options, the infrastructure, the progress line, the results.</summary>
public sealed class BenchmarkRun
{
    public BenchmarkRun(BenchmarkOptions options, BenchmarkInfrastructure infrastructure, Progress progress, CancellationToken cancellationToken)
    {
        Options = options;
        Infrastructure = infrastructure;
        Progress = progress;
        CancellationToken = cancellationToken;
    }

    public BenchmarkOptions Options { get; }
    public BenchmarkInfrastructure Infrastructure { get; }
    public Progress Progress { get; }
    public CancellationToken CancellationToken { get; }
    public List<PhaseResult> Phases { get; } = [];
    public List<CeilingRatio> Ratios { get; } = [];
    public Dictionary<string, string> Tunables { get; } = [];

    /// <summary>Runs one phase with this process's memory peak reset before and read after it.</summary>
    public async Task<PhaseResult> MeasureAsync(string name, Func<Task<PhaseResult>> phase)
    {
        Progress.Phase(name);
        ProcessMemory.ResetPeak();
        var postgresPeak = 0.0;
        using var sampling = new CancellationTokenSource();
        var sampler = Infrastructure.Postgres is { } postgres
            ? Task.Run(async () =>
            {
                while (!sampling.IsCancellationRequested)
                {
                    postgresPeak = Math.Max(postgresPeak, ProcessMemory.PostgresMiB(postgres.DataDirectory));
                    await Task.Delay(500, CancellationToken.None);
                }
            }, CancellationToken.None)
            : Task.CompletedTask;

        PhaseResult result;
        try
        {
            result = await phase();
        }
        finally
        {
            await sampling.CancelAsync();
            await sampler;
        }
        // A phase cut short by Ctrl+C or SIGTERM has no figure worth reporting: stop the run.
        CancellationToken.ThrowIfCancellationRequested();
        result.PeakMemoryMiB["benchmark process"] = ProcessMemory.PeakMiB();
        if (Infrastructure.Postgres is not null)
        {
            result.PeakMemoryMiB["postgres"] = postgresPeak;
        }
        Phases.Add(result);
        Progress.Write($"  {name}: {result.Throughput:N0} {result.Unit}" + (result.LatencyMs.TryGetValue("p99", out var p99) ? $", p99 {p99:N1} ms" : ""));
        return result;
    }

    public void Ratio(PhaseResult pipeline, PhaseResult? ceiling)
    {
        if (ceiling is { Throughput: > 0 })
        {
            Ratios.Add(new CeilingRatio(pipeline.Name, ceiling.Name, pipeline.Throughput / ceiling.Throughput));
        }
    }

    public static PhaseResult FromHttp(string name, string role, HttpLoadResult load, bool inEvents) => new()
    {
        Name = name,
        Role = role,
        Throughput = inEvents ? load.EventsPerSecond : load.RequestsPerSecond,
        Unit = inEvents ? "events/s" : "req/s",
        LatencyMs = new()
        {
            ["p50"] = load.Latency.Percentile(0.50),
            ["p95"] = load.Latency.Percentile(0.95),
            ["p99"] = load.Latency.Percentile(0.99),
            ["max"] = load.Latency.Percentile(1.0),
        },
        Outcomes = new(load.Outcomes),
        Figures = new Dictionary<string, double>
        {
            ["requests"] = load.Requests,
            ["requests/s"] = load.RequestsPerSecond,
            ["measured s"] = load.Measured.TotalSeconds,
            // The load generator runs in the same process: compare with the HTTP ceiling's figure, same load on a
            // parse-only endpoint, for what the host itself adds.
            ["process CPU µs/accepted event"] = load.Cpu.Process / Math.Max(load.Succeeded * load.EventsPerRequest, 1) * 1e6,
            ["broker CPU µs/accepted event"] = load.Cpu.Broker / Math.Max(load.Succeeded * load.EventsPerRequest, 1) * 1e6,
        }.Concat(load.Cpu.PerRowByThread(Math.Max(load.Succeeded * load.EventsPerRequest, 1), "process CPU µs/accepted event")).ToDictionary(),
    };
}
