namespace Clickstream.Benchmarks.Cli;

/// <summary>What one benchmark run does; every value is echoed in the report's tunables.</summary>
public sealed record BenchmarkOptions
{
    public required Scenario Scenario { get; init; }

    /// <summary>Concurrent HTTP/1.1 keep-alive clients, each with one request in flight (closed loop).</summary>
    public int Connections { get; init; } = 64;

    /// <summary>How long each measured HTTP phase runs (after its warm-up).</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Load before each measured phase, not counted: JIT, connection set-up, producer batching settle.</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Events per request for ingest-batch and end-to-end.</summary>
    public int BatchSize { get; init; } = 100;

    /// <summary>Events preloaded for drain, and rows copied by the storage ceiling.</summary>
    public int Events { get; init; } = 200_000;

    /// <summary>The consumer's batch size (Ingestion:MessageLimit) for drain and end-to-end.</summary>
    public int ConsumerBatchSize { get; init; } = 1000;

    /// <summary>drain only: run once per consumer batch size in <see cref="SweepBatchSizes"/>.</summary>
    public bool Sweep { get; init; }

    public IReadOnlyList<int> SweepBatchSizes { get; init; } = [100, 500, 1000, 5000];

    /// <summary>linger.ms of every producer (the API's and the ceilings'): the first knob of acknowledged ingestion.</summary>
    public int LingerMs { get; init; } = 1;

    /// <summary>Partitions of raw_events for the HTTP scenarios; drain uses enough for the preload to fit the broker's retention.</summary>
    public int Partitions { get; init; } = 3;

    /// <summary>Skip the ceilings (quicker runs while tuning one side); ratios are then absent.</summary>
    public bool SkipCeilings { get; init; }

    /// <summary>
    /// ingest-single, ingest-batch and drain: measure the pipeline a second time with OpenTelemetry off
    /// (<c>Telemetry:Enabled=false</c>) and report the ratio on/off, the cost of the metrics.
    /// </summary>
    public bool CompareTelemetryOff { get; init; }

    /// <summary>
    /// drain and end-to-end: measure the storing phases a second time on a single, unpartitioned events table (the layout
    /// before schema version 3) and report the ratios partitioned / single.
    /// </summary>
    public bool CompareSingleTable { get; init; }

    /// <summary>partitions: daily partitions of events, the oldest dropped while COPY runs.</summary>
    public int TablePartitions { get; init; } = 60;

    /// <summary>partitions: rows in each of them.</summary>
    public int RowsPerPartition { get; init; } = 20_000;

    /// <summary>Where the Markdown and JSON reports go (git-ignored).</summary>
    public string ResultsDirectory { get; init; } = "BenchmarkResults";

    /// <summary>Seconds between progress lines on stderr.</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Upper bound for drain and for end-to-end's wait for the backlog: a run never hangs.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromMinutes(2);
}
