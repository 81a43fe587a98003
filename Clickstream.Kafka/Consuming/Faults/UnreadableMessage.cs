using Confluent.Kafka;

namespace Clickstream.Kafka.Consuming.Faults;

/// <summary>
/// Tells apart the two kinds of <see cref="ConsumeException"/>. Some stand for a message the consumer has read past
/// without being able to hand it over (its key or value could not be deserialized, its batch was corrupt or could not
/// be decompressed): the consumer's position is already after it, so unless the endpoint tracks it and accounts for it
/// (dead-letters it), a later commit would skip it silently. The others are errors of the fetch itself (a partition
/// not available, authorization): no message was taken, and the consumer fetches again from where it was.
/// </summary>
internal static class UnreadableMessage
{
    private static readonly HashSet<ErrorCode> ReadPast =
    [
        ErrorCode.Local_KeyDeserialization,
        ErrorCode.Local_ValueDeserialization,
        ErrorCode.Local_BadMsg,
        ErrorCode.Local_BadCompression,
    ];

    /// <summary>The message <paramref name="error"/> stands for, when the consumer read past it at a known offset.</summary>
    public static bool TryGet(ConsumeException error, out ConsumeResult<byte[]?, byte[]?> message)
    {
        message = error.ConsumerRecord!;
        return ReadPast.Contains(error.Error.Code)
               && error.ConsumerRecord is { Partition.Value: >= 0, Offset.Value: >= 0 };
    }

    /// <summary>The dead-letter reason: what Kafka said.</summary>
    public static string Reason(ConsumeException error) => $"Kafka could not read the message ({error.Error.Code}): {error.Error.Reason}";
}
