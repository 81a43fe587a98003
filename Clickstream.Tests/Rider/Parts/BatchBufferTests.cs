using System.Text.Json;
using Clickstream.Contracts;
using Clickstream.Kafka.Consuming.Checkpoints;
using Clickstream.Kafka.Consuming.Dispatch;
using Clickstream.Tests.Support;
using MassTransit;
using Microsoft.Extensions.Time.Testing;

namespace Clickstream.Tests.Rider.Parts;

public sealed class BatchBufferTests
{
    private static readonly TimeSpan TimeLimit = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Longest = TimeSpan.FromMilliseconds(100);
    private readonly FakeTimeProvider _clock = new();
    private readonly ReceivedMessages _messages = new();
    private readonly List<CollectedBatch> _complete = [];
    private long _offset;

    [Fact]
    public void A_batch_is_complete_at_its_message_limit()
    {
        var buffer = Buffer(messageLimit: 3);
        Add(buffer, 2);
        Assert.Empty(_complete);

        Add(buffer, 2);
        var batch = Assert.Single(_complete);
        Assert.Equal([0L, 1L, 2L], batch.Received.Select(m => m.Offset));
        Assert.Equal(1, buffer.Count);
    }

    [Fact]
    public void A_batch_is_complete_when_its_time_limit_passed_since_its_first_message()
    {
        var buffer = Buffer(messageLimit: 100);
        Add(buffer, 1);
        _clock.Advance(TimeLimit - TimeSpan.FromSeconds(1));
        Add(buffer, 1);
        buffer.CompleteIfDue();
        Assert.Empty(_complete);
        Assert.Equal(Longest, buffer.NextWait(Longest));
        Assert.Equal(TimeSpan.FromSeconds(1), buffer.NextWait(TimeSpan.FromMinutes(1)));

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.Zero, buffer.NextWait(Longest));
        buffer.CompleteIfDue();
        var batch = Assert.Single(_complete);
        Assert.Equal(2, batch.Received.Count);
    }

    [Fact]
    public void With_FromLast_each_message_starts_the_time_limit_again()
    {
        var buffer = Buffer(messageLimit: 100, BatchTimeLimitStart.FromLast);
        Add(buffer, 1);
        _clock.Advance(TimeLimit - TimeSpan.FromSeconds(1));
        Add(buffer, 1);
        _clock.Advance(TimeSpan.FromSeconds(2));
        buffer.CompleteIfDue();
        Assert.Empty(_complete);

        _clock.Advance(TimeLimit);
        buffer.CompleteIfDue();
        Assert.Single(_complete);
    }

    [Fact]
    public void A_forced_batch_goes_out_however_small_and_an_empty_one_not_at_all()
    {
        var buffer = Buffer(messageLimit: 100);
        buffer.Complete(BatchCompletionMode.Forced);
        Assert.Empty(_complete);
        Assert.Equal(Longest, buffer.NextWait(Longest));

        Add(buffer, 1);
        buffer.Complete(BatchCompletionMode.Forced);
        Assert.Single(_complete);
    }

    private BatchBuffer Buffer(int messageLimit, BatchTimeLimitStart start = BatchTimeLimitStart.FromFirst)
    {
        var options = new BatchOptions().SetMessageLimit(messageLimit).SetTimeLimit(TimeLimit).SetTimeLimitStart(start);
        return new BatchBuffer(options, BatchContextFactory.For(typeof(ClickEvent)), _complete.Add, _clock);
    }

    private void Add(BatchBuffer buffer, int count)
    {
        var checkpoint = new PartitionCheckpoint(_clock);
        for (var i = 0; i < count; i++)
        {
            var offset = _offset++;
            buffer.Add(_messages.Message(offset, JsonSerializer.Serialize(ClickEvents.Create((int)offset))), checkpoint.Track(offset));
        }
    }
}
