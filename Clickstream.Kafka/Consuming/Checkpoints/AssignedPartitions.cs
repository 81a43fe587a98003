using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Clickstream.Kafka.Telemetry;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Clickstream.Kafka.Consuming.Checkpoints;

/// <summary>
/// The checkpoints of the partitions an endpoint holds now: created on assignment, dropped on revocation or loss,
/// drained and committed from the poll thread.
/// </summary>
/// <param name="metrics">Counts commits and measures lag; none in unit tests of the checkpoints alone.</param>
internal sealed class AssignedPartitions(TimeProvider clock, EndpointMetrics? metrics = null)
{
    private readonly ConcurrentDictionary<TopicPartition, PartitionCheckpoint> _checkpoints = new();

    public IReadOnlyCollection<TopicPartition> Partitions => _checkpoints.Keys.ToList();

    public void Assign(IEnumerable<TopicPartition> partitions)
    {
        foreach (var partition in partitions)
        {
            _checkpoints[partition] = new PartitionCheckpoint(clock);
        }
    }

    public void Remove(IEnumerable<TopicPartition> partitions)
    {
        foreach (var partition in partitions)
        {
            _checkpoints.TryRemove(partition, out _);
        }
    }

    public bool TryGet(TopicPartition partition, out PartitionCheckpoint checkpoint) => _checkpoints.TryGetValue(partition, out checkpoint!);

    /// <summary>Completes when every message received on <paramref name="partitions"/> completed.</summary>
    public Task DrainAsync(IEnumerable<TopicPartition> partitions) =>
        Task.WhenAll(partitions.Select(p => _checkpoints.TryGetValue(p, out var c) ? c.DrainAsync() : Task.CompletedTask));

    /// <summary>The offsets that moved since the last commit: each partition's contiguous completed prefix.</summary>
    public List<TopicPartitionOffset> Committable(IEnumerable<TopicPartition> partitions)
    {
        var offsets = new List<TopicPartitionOffset>();
        foreach (var partition in partitions)
        {
            if (_checkpoints.TryGetValue(partition, out var checkpoint) && checkpoint.TakeCommittable() is { } offset)
            {
                offsets.Add(new TopicPartitionOffset(partition, offset));
            }
        }
        return offsets;
    }

    public void Committed(IEnumerable<TopicPartitionOffset> offsets)
    {
        foreach (var offset in offsets)
        {
            if (_checkpoints.TryGetValue(offset.TopicPartition, out var checkpoint))
            {
                checkpoint.Committed(offset.Offset.Value);
            }
        }
    }

    /// <summary>Commits what completed on <paramref name="partitions"/>; a failed commit is kept for the next one.</summary>
    public void Commit(IConsumer<byte[]?, byte[]?> consumer, IEnumerable<TopicPartition> partitions, ILogger logger, string endpoint)
    {
        var offsets = Committable(partitions);
        if (offsets.Count == 0)
        {
            return;
        }
        try
        {
            consumer.Commit(offsets);
            Committed(offsets);
            metrics?.Committed(succeeded: true);
        }
        catch (KafkaException e)
        {
            metrics?.Committed(succeeded: false);
            // During a rebalance the new owner re-reads from the last commit.
            ConsumingLog.CommitFailed(logger, endpoint, e.Error.Reason);
        }
    }

    /// <summary>The partition ends and positions the consumer knows (from its fetches): lag the endpoint has not received yet.</summary>
    public void ObserveEnds(IConsumer<byte[]?, byte[]?> consumer)
    {
        foreach (var (partition, checkpoint) in _checkpoints)
        {
            try
            {
                // Both kept by the client from its fetches: no broker round trip.
                var watermarks = consumer.GetWatermarkOffsets(partition);
                var position = consumer.Position(partition);
                if (watermarks.High != Offset.Unset && position != Offset.Unset)
                {
                    checkpoint.ObserveEnd(watermarks.High.Value, position.Value);
                }
                else if (watermarks.High != Offset.Unset && watermarks.Low == watermarks.High)
                {
                    // Nothing received yet, so no position; but an empty partition has nothing to lag behind on.
                    checkpoint.ObserveEnd(watermarks.High.Value, watermarks.High.Value);
                }
            }
            catch (KafkaException)
            {
                // Not known for this partition yet (just assigned, or going away): its lag counts what was received.
            }
        }
    }

    /// <summary>
    /// Adds each partition's lag, from the committed offset and from the position, as last observed by
    /// <see cref="ObserveEnds"/> (read on the collecting thread: only what the checkpoints hold, nothing asked of Kafka).
    /// </summary>
    public void MeasureLag(EndpointMetrics tags, List<Measurement<long>> into)
    {
        foreach (var (partition, checkpoint) in _checkpoints)
        {
            if (checkpoint.TryGetLag(out var fromCommitted, out var fromPosition))
            {
                into.Add(new Measurement<long>(fromCommitted, tags.LagTags(partition.Partition.Value, fromCommitted: true)));
                into.Add(new Measurement<long>(fromPosition, tags.LagTags(partition.Partition.Value, fromCommitted: false)));
            }
        }
    }

    /// <summary>Partitions with lag and no commit moving for <paramref name="stallAfter"/>, in partition order.</summary>
    public IReadOnlyList<StalledPartition> Stalled(TimeSpan stallAfter)
    {
        var now = clock.GetUtcNow();
        return _checkpoints
            .Select(c => (c.Key.Partition.Value, c.Value.Progress))
            .Where(c => c.Progress.IsStalled(now, stallAfter))
            .OrderBy(c => c.Value)
            .Select(c => new StalledPartition(c.Value, c.Progress.Lag, c.Progress.NoProgressSince))
            .ToList();
    }
}
