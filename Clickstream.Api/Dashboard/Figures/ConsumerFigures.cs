namespace Clickstream.Api.Dashboard.Figures;

/// <summary>What the consumers in this process did: rows stored, lag, batch latency, dead letters and stalls.</summary>
/// <param name="StoredPerSecond">New rows inserted per second.</param>
/// <param name="StoredTotal">New rows inserted since the process started.</param>
/// <param name="StoredSeries">New rows inserted in each second of the window, oldest first.</param>
/// <param name="Lag">Lag of each assigned partition; null while no consumer reports lag (none has started).</param>
/// <param name="BatchDuration">Time to store a batch over the window.</param>
/// <param name="DeadLettersTotal">Messages dead-lettered since the process started, by reason.</param>
/// <param name="DeadLettersInWindow">Messages dead-lettered during the window, all reasons.</param>
/// <param name="StalledBatches">Batches waiting to retry now (a stalled partition shows as more than 0); null while not reported.</param>
/// <param name="PausedPartitions">Partitions paused by backpressure now; null while not reported.</param>
/// <param name="RetriesPerSecond">Store attempts retried after a failure, per second.</param>
internal sealed record ConsumerFigures(
    double StoredPerSecond,
    long StoredTotal,
    long[] StoredSeries,
    IReadOnlyList<PartitionLag>? Lag,
    BatchDurationFigures BatchDuration,
    IReadOnlyDictionary<string, long> DeadLettersTotal,
    long DeadLettersInWindow,
    long? StalledBatches,
    long? PausedPartitions,
    double RetriesPerSecond);

/// <summary>One partition's lag for one consumer group: its high watermark minus the committed offset, and minus the consumer's position.</summary>
internal sealed record PartitionLag(string Topic, string ConsumerGroup, string Partition, long? Committed, long? Position);

/// <summary>Batches stored over the window and their store time's p50 and p99 in seconds (null when there was none).</summary>
internal sealed record BatchDurationFigures(long Batches, double? P50Seconds, double? P99Seconds);
