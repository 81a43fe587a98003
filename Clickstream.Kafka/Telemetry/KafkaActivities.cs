using System.Diagnostics;
using System.Reflection;

namespace Clickstream.Kafka.Telemetry;

/// <summary>
/// The rider's spans (ActivitySource <c>Clickstream.Kafka</c>), named and tagged after OpenTelemetry's messaging
/// semantic conventions: <c>send {topic}</c> (a produce, until the broker's ack), <c>process {topic}</c> (a batch the
/// endpoint consumed, linked to each message's producer span). Nothing is created when nothing listens.
/// </summary>
internal static class KafkaActivities
{
    public const string SourceName = "Clickstream.Kafka";

    public static readonly ActivitySource Source = new(SourceName,
        typeof(KafkaActivities).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion);

    /// <summary>
    /// Starts a span without making it <see cref="Activity.Current"/>: a produce returns before its ack, and what the caller
    /// does next is not part of it. Null when nothing listens (or the sampler drops it without propagation).
    /// </summary>
    public static Activity? StartDetached(string name, ActivityKind kind, ActivityContext parent = default, IEnumerable<ActivityLink>? links = null)
    {
        var current = Activity.Current;
        var activity = Source.StartActivity(name, kind, parent, links: links);
        Activity.Current = current;
        return activity;
    }

    /// <summary>
    /// Stops a span on whatever thread its outcome arrives (librdkafka's poll thread, say) without leaving that thread's
    /// <see cref="Activity.Current"/> changed: <see cref="Activity.Stop"/> would set it to the span's parent.
    /// </summary>
    public static void StopDetached(Activity activity)
    {
        var current = Activity.Current;
        activity.Stop();
        Activity.Current = current;
    }

    /// <summary>
    /// Marks a span failed with a low-cardinality <c>error.type</c>: Kafka's error code when there is one (a small, fixed
    /// set), else the exception's type.
    /// </summary>
    public static void Fail(Activity? activity, Exception failure)
    {
        if (activity is null)
        {
            return;
        }
        activity.SetStatus(ActivityStatusCode.Error, failure.Message);
        if (activity.IsAllDataRequested)
        {
            activity.SetTag(MessagingTags.ErrorType, failure is Confluent.Kafka.KafkaException kafka
                ? kafka.Error.Code.ToString()
                : failure.GetType().FullName ?? failure.GetType().Name);
        }
    }
}
