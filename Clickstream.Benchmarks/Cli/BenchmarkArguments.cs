using System.Globalization;

namespace Clickstream.Benchmarks.Cli;

/// <summary>Command-line parsing, by hand: a dozen flags do not justify a package.</summary>
public static class BenchmarkArguments
{
    public const string Usage = """
        usage: Clickstream.Benchmarks <ingest-single|ingest-batch|drain|end-to-end|partitions> [options]
          --connections N      concurrent HTTP clients (64)
          --duration S         seconds of measured load per phase (10)
          --warmup S           seconds of unmeasured load before each phase (2)
          --batch-size N       events per HTTP request for ingest-batch and end-to-end (100)
          --events N           events preloaded for drain / copied by the storage ceiling (200000)
          --consumer-batch N   consumer batch size, Ingestion:MessageLimit (1000)
          --sweep              drain once per consumer batch size 100, 500, 1000, 5000
          --linger MS          linger.ms of every producer (1)
          --partitions N       partitions of raw_events for the HTTP scenarios (3)
          --no-ceilings        skip the ceilings
          --telemetry-off      also run the pipeline with OpenTelemetry off (Telemetry:Enabled=false), for the overhead ratio
          --single-table       drain, end-to-end: also store into a single unpartitioned table, for the ratio partitioned/single
          --table-partitions N partitions: daily partitions of events (60)
          --rows-per-partition N  partitions: rows in each (20000)
          --results DIR        where reports are written (BenchmarkResults)
        """;

    public static bool TryParse(IReadOnlyList<string> args, out BenchmarkOptions? options, out string? error)
    {
        options = null;
        error = null;
        if (args.Count == 0 || !TryParseScenario(args[0], out var scenario))
        {
            error = args.Count == 0 ? "A scenario is required." : $"Unknown scenario '{args[0]}'.";
            return false;
        }

        var parsed = new BenchmarkOptions { Scenario = scenario };
        for (var i = 1; i < args.Count; i++)
        {
            var name = args[i];
            string Next() => i + 1 < args.Count ? args[++i] : throw new FormatException($"{name} needs a value.");
            try
            {
                parsed = name switch
                {
                    "--connections" => parsed with { Connections = Positive(name, Next()) },
                    "--duration" => parsed with { Duration = Seconds(name, Next()) },
                    "--warmup" => parsed with { Warmup = Seconds(name, Next(), allowZero: true) },
                    "--batch-size" => parsed with { BatchSize = Positive(name, Next()) },
                    "--events" => parsed with { Events = Positive(name, Next()) },
                    "--consumer-batch" => parsed with { ConsumerBatchSize = Positive(name, Next()) },
                    "--sweep" => parsed with { Sweep = true },
                    "--linger" => parsed with { LingerMs = NonNegative(name, Next()) },
                    "--partitions" => parsed with { Partitions = Positive(name, Next()) },
                    "--no-ceilings" => parsed with { SkipCeilings = true },
                    "--telemetry-off" => parsed with { CompareTelemetryOff = true },
                    "--single-table" => parsed with { CompareSingleTable = true },
                    "--table-partitions" => parsed with { TablePartitions = Positive(name, Next()) },
                    "--rows-per-partition" => parsed with { RowsPerPartition = Positive(name, Next()) },
                    "--results" => parsed with { ResultsDirectory = Next() },
                    _ => throw new FormatException($"Unknown option '{name}'."),
                };
            }
            catch (FormatException e)
            {
                error = e.Message;
                return false;
            }
        }

        options = parsed;
        return true;
    }

    public static string Name(Scenario scenario) => scenario switch
    {
        Scenario.IngestSingle => "ingest-single",
        Scenario.IngestBatch => "ingest-batch",
        Scenario.Drain => "drain",
        Scenario.EndToEnd => "end-to-end",
        Scenario.Partitions => "partitions",
        _ => throw new ArgumentOutOfRangeException(nameof(scenario), scenario, null),
    };

    private static bool TryParseScenario(string value, out Scenario scenario)
    {
        foreach (var candidate in Enum.GetValues<Scenario>())
        {
            if (Name(candidate) == value)
            {
                scenario = candidate;
                return true;
            }
        }
        scenario = default;
        return false;
    }

    private static int Positive(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n : throw new FormatException($"{name} must be a positive integer (got '{value}').");

    private static int NonNegative(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n : throw new FormatException($"{name} must be an integer ≥ 0 (got '{value}').");

    private static TimeSpan Seconds(string name, string value, bool allowZero = false) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && (s > 0 || (allowZero && s == 0)) && s <= 3600
            ? TimeSpan.FromSeconds(s) : throw new FormatException($"{name} must be a number of seconds in (0, 3600] (got '{value}').");
}
