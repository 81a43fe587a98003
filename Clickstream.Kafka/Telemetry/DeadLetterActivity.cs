using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;

namespace Clickstream.Kafka.Telemetry;

/// <summary>
/// The producer span of a dead letter (<c>send {topic}.dlq</c>, kind Producer). Its parent is the message's own producer
/// span when the message carried one, so the trace of the request that sent the event shows where it ended up; the span
/// that was processing it (the batch's) is linked. A message without a context gets the processing span as parent.
/// </summary>
internal sealed class DeadLetterActivity(string deadLetterTopic)
{
    private readonly string _name = $"{MessagingTags.Send} {deadLetterTopic}";

    /// <summary>Starts the span (current until the send ends); null when nothing listens.</summary>
    public Activity? Start(ConsumeResult<byte[]?, byte[]?> source)
    {
        if (!KafkaActivities.Source.HasListeners())
        {
            return null;
        }
        Activity? activity;
        if (TraceContext.TryExtract(source.Message.Headers, out var producer))
        {
            var processing = Activity.Current;
            activity = KafkaActivities.Source.StartActivity(_name, ActivityKind.Producer, producer,
                links: processing is null ? null : [new ActivityLink(processing.Context)]);
        }
        else
        {
            activity = KafkaActivities.Source.StartActivity(_name, ActivityKind.Producer);
        }
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(MessagingTags.System, MessagingTags.Kafka);
            activity.SetTag(MessagingTags.Destination, deadLetterTopic);
            activity.SetTag(MessagingTags.OperationType, MessagingTags.Send);
            activity.SetTag(MessagingTags.OperationName, MessagingTags.Send);
            activity.SetTag("clickstream.dead_letter.source.partition.id", source.Partition.Value.ToString(CultureInfo.InvariantCulture));
            activity.SetTag("clickstream.dead_letter.source.offset", source.Offset.Value);
        }
        return activity;
    }

    public static void Acked(Activity? activity, DeliveryResult<byte[]?, byte[]?> delivery)
    {
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(MessagingTags.Partition, delivery.Partition.Value.ToString(CultureInfo.InvariantCulture));
            activity.SetTag(MessagingTags.Offset, delivery.Offset.Value);
        }
    }
}
