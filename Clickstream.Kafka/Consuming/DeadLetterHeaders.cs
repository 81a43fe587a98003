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
}
