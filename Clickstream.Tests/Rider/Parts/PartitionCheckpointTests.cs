using Clickstream.Kafka.Consuming.Checkpoints;
using Confluent.Kafka;
using Microsoft.Extensions.Time.Testing;

namespace Clickstream.Tests.Rider.Parts;

public sealed class PartitionCheckpointTests
{
    private static readonly TimeSpan StallAfter = TimeSpan.FromMinutes(2);
    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public void The_committable_offset_moves_only_over_the_contiguous_completed_prefix()
    {
        var checkpoint = new PartitionCheckpoint(_clock);
        var entries = Enumerable.Range(10, 4).Select(o => checkpoint.Track(o)).ToList();

        entries[1].Complete();
        entries[3].Complete();
        Assert.Null(checkpoint.TakeCommittable());

        entries[0].Complete();
        Assert.Equal(12, checkpoint.TakeCommittable());
        checkpoint.Committed(12);
        Assert.Null(checkpoint.TakeCommittable());

        entries[2].Complete();
        Assert.Equal(14, checkpoint.TakeCommittable());
        Assert.Equal(0, checkpoint.InFlight);
    }

    [Fact]
    public async Task A_drain_completes_once_every_message_received_so_far_completed()
    {
        var checkpoint = new PartitionCheckpoint(_clock);
        var first = checkpoint.Track(0);
        var second = checkpoint.Track(1);

        var drained = checkpoint.DrainAsync();
        first.Complete();
        Assert.False(drained.IsCompleted);
        second.Complete();

        await drained.WaitAsync(TimeSpan.FromMinutes(1));
        Assert.True(new PartitionCheckpoint(_clock).DrainAsync().IsCompleted, "A partition with nothing in flight is drained at once.");
    }

    [Fact]
    public void A_partition_with_lag_and_no_commit_for_StallAfter_is_stalled_since_its_lag_appeared()
    {
        var checkpoint = new PartitionCheckpoint(_clock);
        _clock.Advance(TimeSpan.FromHours(1));
        var appeared = _clock.GetUtcNow();
        checkpoint.Track(0);
        checkpoint.Track(1);

        _clock.Advance(StallAfter - TimeSpan.FromSeconds(1));
        Assert.False(checkpoint.Progress.IsStalled(_clock.GetUtcNow(), StallAfter));

        _clock.Advance(TimeSpan.FromSeconds(1));
        var progress = checkpoint.Progress;
        Assert.True(progress.IsStalled(_clock.GetUtcNow(), StallAfter));
        Assert.Equal(2, progress.Lag);
        Assert.Equal(appeared, progress.NoProgressSince);
    }

    [Fact]
    public void A_commit_that_moves_is_progress_and_one_that_does_not_is_not()
    {
        var checkpoint = new PartitionCheckpoint(_clock);
        var first = checkpoint.Track(0);
        checkpoint.Track(1);
        _clock.Advance(StallAfter);
        Assert.True(checkpoint.Progress.IsStalled(_clock.GetUtcNow(), StallAfter));

        first.Complete();
        checkpoint.Committed(checkpoint.TakeCommittable()!.Value);
        Assert.False(checkpoint.Progress.IsStalled(_clock.GetUtcNow(), StallAfter));
        Assert.Equal(1, checkpoint.Progress.Lag);

        _clock.Advance(StallAfter);
        checkpoint.Committed(1); // the same offset again: nothing moved
        Assert.True(checkpoint.Progress.IsStalled(_clock.GetUtcNow(), StallAfter));
    }

    [Fact]
    public void An_idle_partition_is_never_stalled()
    {
        var checkpoint = new PartitionCheckpoint(_clock);
        _clock.Advance(StallAfter * 10);
        Assert.False(checkpoint.Progress.IsStalled(_clock.GetUtcNow(), StallAfter));

        // Everything received was committed: no lag, however long nothing more comes.
        var entry = checkpoint.Track(0);
        entry.Complete();
        checkpoint.Committed(1);
        _clock.Advance(StallAfter * 10);
        Assert.Equal(0, checkpoint.Progress.Lag);
        Assert.False(checkpoint.Progress.IsStalled(_clock.GetUtcNow(), StallAfter));
    }

    [Fact]
    public void Messages_available_on_the_broker_and_not_received_count_as_lag()
    {
        var checkpoint = new PartitionCheckpoint(_clock);
        checkpoint.Track(0).Complete();
        checkpoint.Committed(1);
        _clock.Advance(StallAfter * 3);

        // The fetches say the partition holds 50 messages: none received since (paused, say) and none committed.
        checkpoint.ObserveEnd(highWatermark: 50, position: 1);
        Assert.Equal(49, checkpoint.Progress.Lag);
        Assert.False(checkpoint.Progress.IsStalled(_clock.GetUtcNow(), StallAfter));
        _clock.Advance(StallAfter);
        Assert.True(checkpoint.Progress.IsStalled(_clock.GetUtcNow(), StallAfter));
    }

    [Fact]
    public void A_partition_read_and_committed_to_its_end_has_no_lag_even_when_its_last_record_is_no_message()
    {
        var checkpoint = new PartitionCheckpoint(_clock);
        var entries = Enumerable.Range(0, 10).Select(o => checkpoint.Track(o)).ToList();
        entries.ForEach(e => e.Complete());
        checkpoint.Committed(checkpoint.TakeCommittable()!.Value);

        // A transaction marker at offset 10: the end is 11, and the consumer's position stepped over it.
        checkpoint.ObserveEnd(highWatermark: 11, position: 11);
        _clock.Advance(StallAfter * 10);

        Assert.Equal(0, checkpoint.Progress.Lag);
        Assert.False(checkpoint.Progress.IsStalled(_clock.GetUtcNow(), StallAfter));
    }

    [Fact]
    public void A_partition_with_messages_available_before_anything_was_received_has_lag()
    {
        var checkpoint = new PartitionCheckpoint(_clock);
        checkpoint.ObserveEnd(highWatermark: 30, position: 10);

        Assert.Equal(20, checkpoint.Progress.Lag);
    }

    [Fact]
    public void The_assigned_partitions_name_the_stalled_ones_with_their_lag_and_since_when()
    {
        var partitions = new AssignedPartitions(_clock);
        var assigned = Enumerable.Range(0, 3).Select(p => new TopicPartition("unit", p)).ToList();
        partitions.Assign(assigned);
        var since = _clock.GetUtcNow();
        Assert.True(partitions.TryGet(assigned[2], out var stalled));
        stalled.Track(7);
        stalled.Track(8);
        Assert.True(partitions.TryGet(assigned[1], out var moving));
        var entry = moving.Track(3);

        _clock.Advance(StallAfter);
        entry.Complete();
        partitions.Committed(partitions.Committable(assigned));

        Assert.Equal([new Clickstream.Kafka.StalledPartition(2, 2, since)], partitions.Stalled(StallAfter));
    }
}
