using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Confluent.Kafka;

namespace Clickstream.Kafka.Telemetry;

/// <summary>
/// Produce outcomes and their latency until the broker's acknowledgement, after OpenTelemetry's messaging conventions:
/// <c>messaging.client.sent.messages</c> and <c>messaging.client.operation.duration</c> (operation type <c>send</c>).
/// </summary>
internal sealed class ProducerMetrics
{
    public ProducerMetrics(Meter meter)
    {
        Sent = meter.CreateCounter<long>("messaging.client.sent.messages", "{message}",
            "Messages the producer handed to the broker, by outcome (error.type is set only on failure).");
        Duration = meter.CreateHistogram("messaging.client.operation.duration", "s",
            "Time from handing messages to the producer to the broker's acknowledgement (or failure) of the last of them.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets.Seconds });
    }

    internal Counter<long> Sent { get; }

    internal Histogram<double> Duration { get; }

    /// <summary>The instruments with one topic's tags built once.</summary>
    public TopicSendMetrics For(string topic) => new(this, topic);
}

/// <summary>A topic's produce instruments with their tags built once: recording allocates nothing.</summary>
internal sealed class TopicSendMetrics
{
    private readonly ProducerMetrics _instruments;
    private readonly string _topic;
    private readonly KeyValuePair<string, object?>[] _sentTags;
    private readonly KeyValuePair<string, object?>[] _durationTags;
    // Failures are few and of few kinds: their tags are built the first time each kind is seen.
    private readonly ConcurrentDictionary<string, (KeyValuePair<string, object?>[] Sent, KeyValuePair<string, object?>[] Duration)> _failed =
        new(StringComparer.Ordinal);

    public TopicSendMetrics(ProducerMetrics instruments, string topic)
    {
        _instruments = instruments;
        _topic = topic;
        _sentTags = [new(MessagingTags.System, MessagingTags.Kafka), new(MessagingTags.Destination, topic)];
        _durationTags = [.. _sentTags, new(MessagingTags.OperationType, MessagingTags.Send)];
    }

    /// <summary>
    /// One produce call finished: <paramref name="delivered"/> messages acknowledged and <paramref name="failed"/> not,
    /// the first failure being <paramref name="failure"/>; it started at <paramref name="started"/> (a Stopwatch timestamp).
    /// </summary>
    public void Record(int delivered, int failed, Exception? failure, long started)
    {
        if (!_instruments.Sent.Enabled && !_instruments.Duration.Enabled)
        {
            return;
        }
        if (delivered > 0)
        {
            _instruments.Sent.Add(delivered, _sentTags);
        }
        if (failed > 0 && failure is not null)
        {
            var tags = FailedTags(failure);
            _instruments.Sent.Add(failed, tags.Sent);
            _instruments.Duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags.Duration);
        }
        else if (delivered > 0)
        {
            _instruments.Duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, _durationTags);
        }
    }

    /// <summary>Low-cardinality name of a produce failure: librdkafka's error code, or the exception's type.</summary>
    internal static string ErrorType(Exception failure) => failure switch
    {
        KafkaException kafka => kafka.Error.Code.ToString(),
        _ => failure.GetType().FullName ?? failure.GetType().Name,
    };

    private (KeyValuePair<string, object?>[] Sent, KeyValuePair<string, object?>[] Duration) FailedTags(Exception failure) =>
        _failed.GetOrAdd(ErrorType(failure), static (type, self) => (
            [.. self._sentTags, new(MessagingTags.ErrorType, type)],
            [.. self._durationTags, new(MessagingTags.ErrorType, type)]), this);

    public override string ToString() => _topic;
}
