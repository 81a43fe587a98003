using Clickstream.Kafka.Consuming.Faults;
using Confluent.Kafka;

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

    private static ConsumeResult<byte[], byte[]> Record(int partition, long offset) => new()
    {
        TopicPartitionOffset = new TopicPartitionOffset("unit", partition, offset),
        Message = new Message<byte[], byte[]> { Key = "k"u8.ToArray(), Value = "v"u8.ToArray() },
    };
}
