using System.Diagnostics;
using Clickstream.Kafka.Consuming;

namespace Clickstream.Kafka.Telemetry;

/// <summary>
/// The consumer span of one batch a topic endpoint collected (<c>process {topic}</c>, kind Consumer). A batch holds
/// messages of many traces, so it has no parent: it links to each message's producer span (the context its headers
/// carried; a message without one, from kcat say, adds no link). The receive pipeline runs inside it, so MassTransit's
/// receive and consumer spans, and what the consumer does (Npgsql's COPY), are its children.
/// </summary>
internal sealed class BatchActivity(string topic, string groupId)
{
    private readonly string _name = $"{MessagingTags.Process} {topic}";

    /// <summary>Starts the batch's span and makes it current; null when nothing listens.</summary>
    public Activity? Start(IReadOnlyList<KafkaMessageContext> messages)
    {
        if (!KafkaActivities.Source.HasListeners())
        {
            return null;
        }
        List<ActivityLink>? links = null;
        foreach (var message in messages)
        {
            if (message.TryGetProducerContext(out var producer))
            {
                (links ??= new List<ActivityLink>(messages.Count)).Add(new ActivityLink(producer));
            }
        }
        // Links go in at creation, where a sampler can see them. A default parent means the current span, none here:
        // the workers run on threads of their own.
        var activity = KafkaActivities.Source.StartActivity(_name, ActivityKind.Consumer, default(ActivityContext), links: links);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(MessagingTags.System, MessagingTags.Kafka);
            activity.SetTag(MessagingTags.Destination, topic);
            activity.SetTag(MessagingTags.ConsumerGroup, groupId);
            activity.SetTag(MessagingTags.OperationType, MessagingTags.Process);
            activity.SetTag(MessagingTags.OperationName, MessagingTags.Process);
            activity.SetTag(MessagingTags.BatchMessageCount, messages.Count);
        }
        return activity;
    }
}
