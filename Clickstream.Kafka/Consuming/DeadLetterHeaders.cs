namespace Clickstream.Kafka.Consuming;

/// <summary>Headers a dead-lettered message carries besides its own: why, and where it came from.</summary>
public static class DeadLetterHeaders
{
    public const string Reason = "dlq-reason";
    public const string Exception = "dlq-exception";
    public const string SourceTopic = "dlq-source-topic";
    public const string SourcePartition = "dlq-source-partition";
    public const string SourceOffset = "dlq-source-offset";
    public const string DeadLetteredAt = "dlq-dead-lettered-at";

    /// <summary>
    /// "true" when the dead-letter topic refused the message as too large and its value was cut to fit (and, if even
    /// an empty value was refused, the original's key and own headers were left out).
    /// </summary>
    public const string Truncated = "dlq-truncated";

    /// <summary>The value's length in bytes before it was truncated (present with <see cref="Truncated"/>).</summary>
    public const string OriginalSize = "dlq-original-size";
}
