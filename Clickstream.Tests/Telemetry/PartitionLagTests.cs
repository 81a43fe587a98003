using Clickstream.Kafka.Consuming.Checkpoints;
using Microsoft.Extensions.Time.Testing;

namespace Clickstream.Tests.Telemetry;

/// <summary>What <c>clickstream.kafka.partition.lag</c> reports for one partition, from what its checkpoint last observed.</summary>
public sealed class PartitionLagTests
{
    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public void A_partition_whose_end_was_never_observed_reports_no_lag_at_all()
    {
        var checkpoint = new PartitionCheckpoint(_clock);
        checkpoint.Track(0);

        Assert.False(checkpoint.TryGetLag(out _, out _));
    }

    [Fact]
    public void Before_the_first_commit_lag_from_committed_counts_from_the_first_message_received_and_from_position_what_is_not_received()
    {
        var checkpoint = new PartitionCheckpoint(_clock);
        for (var offset = 100; offset < 110; offset++)
        {
            checkpoint.Track(offset);
        }

        checkpoint.ObserveEnd(highWatermark: 130, position: 110);

        Assert.True(checkpoint.TryGetLag(out var fromCommitted, out var fromPosition));
        Assert.Equal(30, fromCommitted);
        Assert.Equal(20, fromPosition);
    }

    [Fact]
    public void A_commit_to_the_observed_end_brings_both_lags_to_zero()
    {
        var checkpoint = new PartitionCheckpoint(_clock);
        var entries = Enumerable.Range(0, 10).Select(o => checkpoint.Track(o)).ToList();
        checkpoint.ObserveEnd(highWatermark: 10, position: 10);
        Assert.True(checkpoint.TryGetLag(out var before, out _));
        Assert.Equal(10, before);

        entries.ForEach(e => e.Complete());
        checkpoint.Committed(checkpoint.TakeCommittable()!.Value);

        Assert.True(checkpoint.TryGetLag(out var fromCommitted, out var fromPosition));
        Assert.Equal(0, fromCommitted);
        Assert.Equal(0, fromPosition);
    }

    [Fact]
    public void Messages_received_after_the_end_was_observed_never_make_a_lag_negative()
    {
        var checkpoint = new PartitionCheckpoint(_clock);
        checkpoint.ObserveEnd(highWatermark: 5, position: 5);
        for (var offset = 5; offset < 8; offset++)
        {
            checkpoint.Track(offset).Complete();
        }
        checkpoint.Committed(checkpoint.TakeCommittable()!.Value);

        Assert.True(checkpoint.TryGetLag(out var fromCommitted, out var fromPosition));
        Assert.Equal(0, fromCommitted);
        Assert.Equal(0, fromPosition);
    }
}
