using Clickstream.Kafka.Consuming.Backpressure;
using Clickstream.Kafka.Consuming.Checkpoints;
using Clickstream.Kafka.Consuming.Dispatch;
using Confluent.Kafka;

namespace Clickstream.Kafka.Consuming.Faults;

/// <summary>
/// Accounts for the messages Kafka could not read (<see cref="UnreadableMessage"/>): each is tracked at its offset like
/// any message, so it holds back the commit, and is dead-lettered with Kafka's error as the reason; only then is it done.
/// </summary>
internal sealed class UnreadableMessages(AssignedPartitions partitions, FetchThrottle throttle,
    Func<ConsumeResult<byte[]?, byte[]?>, KafkaMessageContext> context, MessagesFinished finished, CancellationToken abort)
{
    /// <summary>True when <paramref name="error"/> stood for a message of an assigned partition: it is on its way to the dead-letter topic.</summary>
    public bool TryAccountFor(ConsumeException error)
    {
        if (!UnreadableMessage.TryGet(error, out var message) || !partitions.TryGet(message.TopicPartition, out var checkpoint))
        {
            return false;
        }
        var entry = checkpoint.Track(message.Offset.Value);
        throttle.Received();
        DeadLettering.UnreadableAsync(context(message), UnreadableMessage.Reason(error), error, abort)
            .ContinueWith(t => finished(t.IsCompletedSuccessfully && t.Result, [entry]), TaskScheduler.Default);
        return true;
    }
}
