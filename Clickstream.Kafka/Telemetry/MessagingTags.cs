namespace Clickstream.Kafka.Telemetry;

/// <summary>Tag names of OpenTelemetry's messaging semantic conventions, and the rider's own.</summary>
internal static class MessagingTags
{
    public const string System = "messaging.system";
    public const string Kafka = "kafka";
    public const string Destination = "messaging.destination.name";
    public const string Partition = "messaging.destination.partition.id";
    public const string ConsumerGroup = "messaging.consumer.group.name";
    public const string OperationType = "messaging.operation.type";
    public const string Send = "send";
    public const string ErrorType = "error.type";
    public const string LagFrom = "clickstream.lag.from";
    public const string Outcome = "outcome";
    public const string Reason = "reason";
}
