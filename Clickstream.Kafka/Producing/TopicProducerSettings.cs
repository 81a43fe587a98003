namespace Clickstream.Kafka.Producing;

/// <summary>How a topic producer keys and sends its messages.</summary>
public sealed class TopicProducerSettings<TMessage>
    where TMessage : class
{
    internal TopicProducerSettings(string topic) => Topic = topic;

    public string Topic { get; }

    /// <summary>The message key (messages of one key go to one partition, in order). Default: no key.</summary>
    public Func<TMessage, string?> Key { get; set; } = _ => null;

    /// <summary>
    /// librdkafka producer settings for this producer only, on top of the host's and the safe defaults
    /// (acks=all, idempotence on, linger.ms=1). E.g. <c>["compression.type"] = "lz4"</c>.
    /// </summary>
    public Dictionary<string, string> ProducerSettings { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// After librdkafka raised a fatal error (the idempotent producer lost its sequence with the broker, say), how
    /// long the broken producer stays in place, failing every produce at once, before a new one replaces it. It keeps a
    /// producer that fails again at once from being rebuilt in a tight loop. Default 1 s.
    /// </summary>
    public TimeSpan RebuildDelay
    {
        get;
        set => field = value >= TimeSpan.Zero && value <= TimeSpan.FromMinutes(10)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(RebuildDelay), value, "The rebuild delay must be between 0 and 10 minutes.");
    } = TimeSpan.FromSeconds(1);
}
