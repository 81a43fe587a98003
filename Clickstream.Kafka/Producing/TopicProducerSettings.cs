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
}
