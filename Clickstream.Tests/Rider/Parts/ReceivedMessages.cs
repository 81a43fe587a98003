using System.Collections.Concurrent;
using System.Text;
using Clickstream.Kafka.Consuming;
using Clickstream.Kafka.Consuming.Faults;
using Confluent.Kafka;

namespace Clickstream.Tests.Rider.Parts;

/// <summary>
/// Messages as a topic endpoint receives them, made without a broker, and the dead letters they are sent to (kept
/// here, in order, where the endpoint would produce them to the dead-letter topic).
/// </summary>
internal sealed class ReceivedMessages
{
    private const string Topic = "unit";
    private readonly ConcurrentQueue<(long Offset, string Reason)> _deadLetters = new();
    private ulong _sequence;

    public IReadOnlyList<(long Offset, string Reason)> DeadLetters => _deadLetters.ToArray();

    /// <summary>When set, dead letters reach the topic only once it completes (a slow or unreachable dead-letter topic).</summary>
    public TaskCompletionSource? Hold { get; set; }

    public KafkaMessageContext Message(long offset, string? value, int partition = 0, string key = "k", string? contentType = null)
    {
        var headers = new Headers();
        if (contentType is not null)
        {
            headers.Add("Content-Type", Encoding.UTF8.GetBytes(contentType));
        }
        var result = new ConsumeResult<byte[]?, byte[]?>
        {
            TopicPartitionOffset = new TopicPartitionOffset(Topic, partition, offset),
            Message = new Message<byte[]?, byte[]?>
            {
                Key = Encoding.UTF8.GetBytes(key),
                Value = value is null ? null : Encoding.UTF8.GetBytes(value),
                Headers = headers,
                Timestamp = new Timestamp(DateTime.UtcNow),
            },
        };
        return Wrap(result);
    }

    /// <summary>A message as the endpoint wraps what the Kafka consumer returned.</summary>
    public KafkaMessageContext Wrap(ConsumeResult<byte[]?, byte[]?> result) => new(result, ++_sequence, SendAsync);

    private async Task SendAsync(ConsumeResult<byte[]?, byte[]?> source, DeadLetterReason reasonClass, string reason, Exception? exception,
        CancellationToken cancellationToken)
    {
        if (Hold is { } hold)
        {
            await hold.Task.WaitAsync(cancellationToken);
        }
        _deadLetters.Enqueue((source.Offset.Value, reason));
    }
}
