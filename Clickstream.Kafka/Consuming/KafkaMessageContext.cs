using System.Text;
using Clickstream.Kafka.Consuming.Dispatch;
using Clickstream.Kafka.Consuming.Faults;
using Confluent.Kafka;
using MassTransit;
using MassTransit.Transports;

namespace Clickstream.Kafka.Consuming;

/// <summary>Where a consumed message came from (topic, partition, offset, key), and its way to the dead-letter topic.</summary>
public sealed class KafkaMessageContext : ITransportSequenceNumber
{
    private readonly DeadLetterSend _deadLetters;
    private string? _key;

    internal KafkaMessageContext(ConsumeResult<byte[]?, byte[]?> message, ulong sequenceNumber, DeadLetterSend deadLetters)
    {
        Result = message;
        _deadLetters = deadLetters;
        SequenceNumber = sequenceNumber;
    }

    /// <summary>The message as the Kafka consumer returned it.</summary>
    internal ConsumeResult<byte[]?, byte[]?> Result { get; }

    /// <summary>The value as the contract check deserialized it, handed to MassTransit instead of a second parse (null for a MassTransit envelope).</summary>
    internal object? Value { get; set; }

    public string Topic => Result.Topic;

    public int Partition => Result.Partition.Value;

    public long Offset => Result.Offset.Value;

    /// <summary>The message key as UTF-8 text, or null when the message had none.</summary>
    public string? Key => _key ??= Result.Message.Key is { } key ? Encoding.UTF8.GetString(key) : null;

    /// <summary>The Kafka timestamp of the message (UTC).</summary>
    public DateTime Timestamp => Result.Message.Timestamp.UtcDateTime;

    /// <summary>
    /// Receive order within the topic endpoint. MassTransit sorts each <see cref="Batch{T}"/> by it, so messages of
    /// one partition (and so of one key) keep their Kafka order inside a batch.
    /// </summary>
    public ulong? SequenceNumber { get; }

    /// <summary>
    /// Sends this message, unchanged, to the endpoint's dead-letter topic with <paramref name="reason"/> in its
    /// headers, and returns once the broker has it. For a message that can never be processed (the database
    /// rejects its row for good, say): the consumer then completes normally and the offset moves on.
    /// </summary>
    public Task DeadLetterAsync(string reason, Exception? exception = null, CancellationToken cancellationToken = default) =>
        _deadLetters(Result, DeadLetterReason.RejectedByConsumer, reason, exception, cancellationToken);

    /// <summary>
    /// <see cref="DeadLetterAsync(string, Exception?, CancellationToken)"/>, counted under <paramref name="reasonClass"/> in
    /// <c>clickstream.kafka.dead_letters</c> (a class of few values, such as <c>rejected_by_database</c>; the detail goes
    /// in <paramref name="reason"/>).
    /// </summary>
    public Task DeadLetterAsync(DeadLetterReason reasonClass, string reason, Exception? exception = null, CancellationToken cancellationToken = default) =>
        _deadLetters(Result, reasonClass, reason, exception, cancellationToken);
}

/// <summary>Reads the Kafka side of a message consumed from a topic endpoint.</summary>
public static class KafkaConsumeContextExtensions
{
    /// <summary>The Kafka coordinates of the message; throws when the message did not come from a topic endpoint.</summary>
    public static KafkaMessageContext Kafka(this ConsumeContext context) =>
        context.TryGetKafka(out var kafka)
            ? kafka!
            : throw new InvalidOperationException("This message was not received from a Kafka topic endpoint.");

    /// <summary>The Kafka coordinates of the message, when it came from a topic endpoint.</summary>
    public static bool TryGetKafka(this ConsumeContext context, out KafkaMessageContext? kafka)
    {
        // An element of a batch the endpoint collected carries its own message; a single message rides on its receive context.
        if (context is IKafkaBatchElement element)
        {
            kafka = element.Kafka;
            return true;
        }
        return context.ReceiveContext.TryGetPayload(out kafka);
    }
}
