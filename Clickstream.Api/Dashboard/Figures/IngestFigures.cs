namespace Clickstream.Api.Dashboard.Figures;

/// <summary>What the API took in: rates over the last seconds, totals since it started, and counts per second over the window.</summary>
/// <param name="AcceptedPerSecond">Events answered 202, per second.</param>
/// <param name="AcceptedTotal">Events answered 202 since the API started.</param>
/// <param name="AcceptedSeries">Events answered 202 in each second of the window, oldest first.</param>
/// <param name="RefusedPerSecond">Events refused per second, by reason (only reasons seen in those seconds).</param>
/// <param name="RefusedTotal">Events refused since the API started, by reason.</param>
/// <param name="RefusedSeries">Events refused in each second of the window, all reasons, oldest first.</param>
internal sealed record IngestFigures(
    double AcceptedPerSecond,
    long AcceptedTotal,
    long[] AcceptedSeries,
    IReadOnlyDictionary<string, double> RefusedPerSecond,
    IReadOnlyDictionary<string, long> RefusedTotal,
    long[] RefusedSeries);
