using System.Diagnostics;
using System.Globalization;
using System.Text;
using Confluent.Kafka;

namespace Clickstream.Kafka.Telemetry;

/// <summary>
/// The producer span of one produce call (<c>send {topic}</c>, kind Producer), a child of the caller's current span (an
/// HTTP request's, say), from the hand-over to librdkafka until every message has the broker's answer. Its context goes
/// into each message's headers (<see cref="TraceContext"/>), so whoever consumes the topic can continue the trace.
/// </summary>
internal sealed class ProduceActivity
{
    private readonly Activity _activity;

    private ProduceActivity(Activity activity, byte[]? traceParent, byte[]? traceState)
    {
        _activity = activity;
        TraceParent = traceParent;
        TraceState = traceState;
    }

    /// <summary>The span's <c>traceparent</c>, the same for every message of the call.</summary>
    public byte[]? TraceParent { get; }

    public byte[]? TraceState { get; }

    /// <summary>The span's name for a topic (<c>send {topic}</c>): made once per producer, not per produce.</summary>
    public static string NameFor(string topic) => $"{MessagingTags.Send} {topic}";

    /// <summary>Null when nothing listens: then the produce costs nothing more than before.</summary>
    public static ProduceActivity? Start(string name, string topic, int messageCount, string? key)
    {
        if (!KafkaActivities.Source.HasListeners())
        {
            return null;
        }
        var activity = KafkaActivities.StartDetached(name, ActivityKind.Producer);
        if (activity is null)
        {
            return null;
        }
        if (activity.IsAllDataRequested)
        {
            activity.SetTag(MessagingTags.System, MessagingTags.Kafka);
            activity.SetTag(MessagingTags.Destination, topic);
            activity.SetTag(MessagingTags.OperationType, MessagingTags.Send);
            activity.SetTag(MessagingTags.OperationName, MessagingTags.Send);
            if (messageCount == 1)
            {
                if (key is not null)
                {
                    activity.SetTag(MessagingTags.MessageKey, key);
                }
            }
            else
            {
                activity.SetTag(MessagingTags.BatchMessageCount, messageCount);
            }
        }
        var traceState = activity.TraceStateString is { Length: > 0 } state ? Encoding.UTF8.GetBytes(state) : null;
        return new ProduceActivity(activity, TraceContext.FormatTraceParent(activity), traceState);
    }

    /// <summary>Writes the span's context into a message's headers.</summary>
    public void Inject(Headers headers)
    {
        if (TraceParent is not null)
        {
            TraceContext.Inject(TraceParent, TraceState, headers);
        }
    }

    /// <summary>Where the broker put the message (for a single-message produce).</summary>
    public void Acked(Partition partition, Offset offset)
    {
        if (_activity.IsAllDataRequested)
        {
            _activity.SetTag(MessagingTags.Partition, partition.Value.ToString(CultureInfo.InvariantCulture));
            _activity.SetTag(MessagingTags.Offset, offset.Value);
        }
    }

    /// <summary>Ends the span: every message has an outcome (<paramref name="failure"/> is the first failure, if any).</summary>
    public void Stop(Exception? failure)
    {
        if (failure is not null)
        {
            KafkaActivities.Fail(_activity, failure);
        }
        KafkaActivities.StopDetached(_activity);
    }
}
