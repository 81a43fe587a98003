namespace Clickstream.Benchmarks.Load;

/// <summary>What a closed-loop HTTP phase measured, warm-up excluded.</summary>
public sealed record HttpLoadResult
{
    public required TimeSpan Measured { get; init; }

    /// <summary>CPU over the measured window: this process (load generator and host under test together) and the broker.</summary>
    public required Infrastructure.CpuSeconds Cpu { get; init; }
    public required long Requests { get; init; }
    public required long Succeeded { get; init; }
    public required int EventsPerRequest { get; init; }
    public required LatencyHistogram Latency { get; init; }

    /// <summary>Answers by status code, plus "exception:Type" for requests that got no answer.</summary>
    public required IReadOnlyDictionary<string, long> Outcomes { get; init; }

    public double RequestsPerSecond => Succeeded / Measured.TotalSeconds;

    public double EventsPerSecond => RequestsPerSecond * EventsPerRequest;
}
