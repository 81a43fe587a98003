using Clickstream.Kafka.Consuming.Backpressure;
using Clickstream.Kafka.Consuming.Checkpoints;
using Clickstream.Kafka.Consuming.Faults;
using Clickstream.Tests.Infrastructure;
using Confluent.Kafka;
using Microsoft.Extensions.Time.Testing;

namespace Clickstream.Tests.Rider.Parts;

public sealed class UnreadableMessageTests
{
    [Theory]
    [InlineData(ErrorCode.Local_KeyDeserialization)]
    [InlineData(ErrorCode.Local_ValueDeserialization)]
    [InlineData(ErrorCode.Local_BadMsg)]
    [InlineData(ErrorCode.Local_BadCompression)]
    public void A_message_the_consumer_read_past_is_one_to_account_for(ErrorCode code)
    {
        var error = new ConsumeException(Record(partition: 2, offset: 41), new Error(code, "cannot read it"));

        Assert.True(UnreadableMessage.TryGet(error, out var message));
        Assert.Equal(new TopicPartitionOffset("unit", 2, 41), message.TopicPartitionOffset);
        Assert.Equal($"Kafka could not read the message ({code}): cannot read it", UnreadableMessage.Reason(error));
    }

    [Theory]
    [InlineData(ErrorCode.TopicAuthorizationFailed, 0, 41)]
    [InlineData(ErrorCode.UnknownTopicOrPart, -1, -1001)]
    [InlineData(ErrorCode.Local_ValueDeserialization, 0, -1001)]
    public void A_fetch_error_is_no_message_and_is_not_tracked(ErrorCode code, int partition, long offset)
    {
        var error = new ConsumeException(Record(partition, offset), new Error(code));

        Assert.False(UnreadableMessage.TryGet(error, out _));
    }

    [Fact]
    public async Task A_message_Kafka_could_not_read_holds_back_the_offset_until_it_is_dead_lettered()
    {
        var (partitions, throttle, messages, unreadable) = Endpoint();
        Assert.True(partitions.TryGet(Partition, out var checkpoint));
        messages.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        checkpoint.Track(4).Complete();
        Assert.True(unreadable.TryAccountFor(new ConsumeException(Record(0, 5), new Error(ErrorCode.Local_ValueDeserialization, "bad bytes"))));
        checkpoint.Track(6).Complete();

        // Its neighbours are done; the commit may not pass it while its dead letter is on its way (only it is counted in flight here).
        Assert.Equal(5, checkpoint.TakeCommittable());
        Assert.Equal(1, throttle.InFlight);

        messages.Hold.SetResult();
        await Eventually.HoldsAsync(() => checkpoint.TakeCommittable() == 7, () => $"The offset stayed at {checkpoint.TakeCommittable()}.");
        Assert.Equal([(5L, "Kafka could not read the message (Local_ValueDeserialization): bad bytes")], messages.DeadLetters);
        Assert.Equal(0, throttle.InFlight);
    }

    [Fact]
    public void A_fetch_error_takes_no_place_and_is_not_dead_lettered()
    {
        var (partitions, throttle, messages, unreadable) = Endpoint();

        Assert.False(unreadable.TryAccountFor(new ConsumeException(Record(0, 5), new Error(ErrorCode.TopicAuthorizationFailed))));

        Assert.True(partitions.TryGet(Partition, out var checkpoint));
        Assert.Equal(0, checkpoint.InFlight);
        Assert.Equal(0, throttle.InFlight);
        Assert.Empty(messages.DeadLetters);
    }

    private static readonly TopicPartition Partition = new("unit", 0);

    private static (AssignedPartitions, FetchThrottle, ReceivedMessages, UnreadableMessages) Endpoint()
    {
        var clock = new FakeTimeProvider();
        var partitions = new AssignedPartitions(clock);
        partitions.Assign([Partition]);
        var throttle = new FetchThrottle(10, TimeSpan.FromSeconds(1), clock);
        var messages = new ReceivedMessages();
        // As the endpoint finishes messages: completed when done, their places freed either way.
        var unreadable = new UnreadableMessages(partitions, throttle, messages.Wrap, (done, entries) =>
        {
            if (done)
            {
                foreach (var entry in entries)
                {
                    entry.Complete();
                }
            }
            throttle.Finished(entries.Length);
        }, CancellationToken.None);
        return (partitions, throttle, messages, unreadable);
    }

    private static ConsumeResult<byte[], byte[]> Record(int partition, long offset) => new()
    {
        TopicPartitionOffset = new TopicPartitionOffset("unit", partition, offset),
        Message = new Message<byte[], byte[]> { Key = "k"u8.ToArray(), Value = "v"u8.ToArray() },
    };
}
