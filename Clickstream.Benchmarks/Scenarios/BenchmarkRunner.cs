using System.Globalization;
using Clickstream.Benchmarks.Cli;
using Clickstream.Benchmarks.Infrastructure;
using Clickstream.Benchmarks.Load;
using Clickstream.Benchmarks.Reporting;

namespace Clickstream.Benchmarks.Scenarios;

/// <summary>
/// The public entry point (the command line and the smoke tests use it): starts the infrastructure, runs the scenario
/// with its ceilings, returns the report. Everything runs in this process (see docs/benchmarks.md for why).
/// </summary>
public static class BenchmarkRunner
{
    public static async Task<BenchmarkReport> RunAsync(BenchmarkOptions options, TextWriter progressOutput, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var startedAt = DateTimeOffset.UtcNow;
        var partitions = options.Scenario == Scenario.Drain ? DrainScenario.PartitionsFor(options.Events) : options.Partitions;
        var withPostgres = options.Scenario is Scenario.Drain or Scenario.EndToEnd or Scenario.Partitions;

        await using var progress = new Progress(progressOutput, options.ProgressInterval);
        progress.Phase($"{BenchmarkArguments.Name(options.Scenario)}: starting the embedded broker{(withPostgres ? " and PostgreSQL" : "")}");
        await using var infrastructure = await BenchmarkInfrastructure.StartAsync(partitions, withPostgres, cancellationToken);
        var run = new BenchmarkRun(options, infrastructure, progress, cancellationToken);
        run.Tunables["duration s"] = options.Duration.TotalSeconds.ToString(CultureInfo.InvariantCulture);
        run.Tunables["warm-up s"] = options.Warmup.TotalSeconds.ToString(CultureInfo.InvariantCulture);
        run.Tunables["linger.ms"] = options.LingerMs.ToString(CultureInfo.InvariantCulture);
        run.Tunables["acks / idempotence"] = "all / on";
        run.Tunables["partitions"] = partitions.ToString(CultureInfo.InvariantCulture);
        if (withPostgres)
        {
            run.Tunables["postgres"] = "15, fsync off, full_page_writes off, synchronous_commit on";
        }

        switch (options.Scenario)
        {
            case Scenario.IngestSingle:
                await IngestScenario.RunAsync(run, batch: false);
                break;
            case Scenario.IngestBatch:
                await IngestScenario.RunAsync(run, batch: true);
                break;
            case Scenario.Drain:
                await DrainScenario.RunAsync(run);
                break;
            case Scenario.EndToEnd:
                await EndToEndScenario.RunAsync(run);
                break;
            case Scenario.Partitions:
                await PartitionsScenario.RunAsync(run);
                break;
        }

        return new BenchmarkReport
        {
            Scenario = BenchmarkArguments.Name(options.Scenario),
            StartedAt = startedAt,
            Commit = await RunEnvironment.CommitAsync(),
            Machine = RunEnvironment.Machine(),
            Tunables = run.Tunables,
            Phases = run.Phases,
            Ratios = run.Ratios,
        };
    }
}
