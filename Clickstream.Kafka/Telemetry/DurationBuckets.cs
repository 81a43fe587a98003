namespace Clickstream.Kafka.Telemetry;

/// <summary>
/// Histogram bucket boundaries, in seconds, that every Clickstream duration uses (OpenTelemetry's advice API): from
/// 0.5 ms, where a produce ack on a local broker lands, to 10 s, where a stalled store retries. The SDK's default
/// boundaries (0, 5, 10, ... 10000) are meant for milliseconds: in seconds every produce would fall into the first bucket.
/// </summary>
public static class DurationBuckets
{
    /// <summary>0.0005 s to 10 s.</summary>
    public static IReadOnlyList<double> Seconds { get; } =
        [0.0005, 0.001, 0.0025, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
}
