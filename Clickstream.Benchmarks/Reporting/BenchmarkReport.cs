using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Clickstream.Benchmarks.Reporting;

/// <summary>Everything one run measured and the settings it ran with; written as Markdown and JSON.</summary>
public sealed record BenchmarkReport
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public required string Scenario { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public required string Commit { get; init; }
    public required string Machine { get; init; }
    public required Dictionary<string, string> Tunables { get; init; }
    public required List<PhaseResult> Phases { get; init; }
    public required List<CeilingRatio> Ratios { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    public async Task<(string Markdown, string Json)> WriteAsync(string directory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var stem = Path.Combine(directory, $"{StartedAt.UtcDateTime:yyyyMMdd-HHmmss}-{Scenario}");
        await File.WriteAllTextAsync(stem + ".md", ToMarkdown(), cancellationToken);
        await File.WriteAllTextAsync(stem + ".json", ToJson(), cancellationToken);
        return (stem + ".md", stem + ".json");
    }

    public string ToMarkdown()
    {
        var md = new StringBuilder();
        Line(md, $"## {Scenario}: {StartedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC, commit {Commit}");
        Line(md, $"\n{Machine}\n");
        Line(md, "| phase | role | throughput | p50 ms | p95 ms | p99 ms | peak memory MiB | outcomes |");
        Line(md, "| --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var p in Phases)
        {
            Line(md, $"| {p.Name} | {p.Role} | {p.Throughput:N0} {p.Unit} | {Latency(p, "p50")} | {Latency(p, "p95")} | {Latency(p, "p99")} | "
                + $"{string.Join(", ", p.PeakMemoryMiB.Select(m => $"{m.Key} {m.Value:N0}"))} | {string.Join(", ", p.Outcomes.Select(o => $"{o.Key}: {o.Value:N0}"))} |");
        }
        if (Ratios.Count > 0)
        {
            Line(md, "\n| phase | judged against | ratio |\n| --- | --- | --- |");
            foreach (var r in Ratios)
            {
                Line(md, $"| {r.Pipeline} | {r.Ceiling} | {r.Ratio:P0} |");
            }
        }
        // Latencies other than the request percentiles above (end-to-end: request and received→stored delays).
        var otherLatencies = Phases.Where(p => p.LatencyMs.Keys.Any(k => k is not ("p50" or "p95" or "p99" or "max"))).ToList();
        if (otherLatencies.Count > 0)
        {
            Line(md, "\n| phase | latencies (ms) |\n| --- | --- |");
            foreach (var p in otherLatencies)
            {
                Line(md, $"| {p.Name} | {string.Join(", ", p.LatencyMs.Select(l => $"{l.Key} {l.Value:N1}"))} |");
            }
        }
        var figures = Phases.Where(p => p.Figures.Count > 0).ToList();
        if (figures.Count > 0)
        {
            Line(md, "\n| phase | figures |\n| --- | --- |");
            foreach (var p in figures)
            {
                Line(md, $"| {p.Name} | {string.Join(", ", p.Figures.Select(f => $"{f.Key} {f.Value:N1}"))} |");
            }
        }
        Line(md, "\nTunables: " + string.Join(", ", Tunables.Select(t => $"{t.Key}={t.Value}")));
        return md.ToString();
    }

    private static string Latency(PhaseResult phase, string key) =>
        phase.LatencyMs.TryGetValue(key, out var ms) ? ms.ToString("N1", CultureInfo.InvariantCulture) : "";

    private static void Line(StringBuilder md, string text) => md.Append(CultureInfo.InvariantCulture, $"{text}\n");
}
