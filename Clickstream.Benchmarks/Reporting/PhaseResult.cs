namespace Clickstream.Benchmarks.Reporting;

/// <summary>One measured phase: a pipeline figure or a ceiling, with what it measured.</summary>
public sealed record PhaseResult
{
    public required string Name { get; init; }

    /// <summary>"pipeline" or "ceiling".</summary>
    public required string Role { get; init; }

    /// <summary>The headline figure (requests/s, events/s, rows/s) and its unit.</summary>
    public required double Throughput { get; init; }

    public required string Unit { get; init; }

    /// <summary>Request latency in ms (p50, p95, p99, max) for HTTP phases; store delay for end-to-end.</summary>
    public Dictionary<string, double> LatencyMs { get; init; } = [];

    /// <summary>Answers by status code (HTTP phases).</summary>
    public Dictionary<string, long> Outcomes { get; init; } = [];

    /// <summary>Peak resident memory by process, MiB.</summary>
    public Dictionary<string, double> PeakMemoryMiB { get; init; } = [];

    /// <summary>Other figures of the phase (durations, counts).</summary>
    public Dictionary<string, double> Figures { get; init; } = [];

    /// <summary>Per-second samples (end-to-end: accepted, stored, backlog, memory).</summary>
    public List<Dictionary<string, double>> Samples { get; init; } = [];
}

/// <summary>A pipeline figure divided by the ceiling it is judged against.</summary>
public sealed record CeilingRatio(string Pipeline, string Ceiling, double Ratio);
