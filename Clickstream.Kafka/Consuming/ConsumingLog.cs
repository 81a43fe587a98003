using Microsoft.Extensions.Logging;

namespace Clickstream.Kafka.Consuming;

/// <summary>The topic endpoints' log lines.</summary>
internal static partial class ConsumingLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Topic endpoint {Endpoint} started (in-flight limit {InFlightLimit}, dead letters to {DeadLetterTopic})")]
    public static partial void Started(ILogger logger, string endpoint, int inFlightLimit, string deadLetterTopic);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Topic endpoint {Endpoint} collects batches of up to {MessageLimit} messages or {TimeLimit}, {ConcurrencyLimit} at a time")]
    public static partial void CollectsBatches(ILogger logger, string endpoint, int messageLimit, TimeSpan timeLimit, int concurrencyLimit);

    [LoggerMessage(Level = LogLevel.Information, Message = "Topic endpoint {Endpoint} stopped ({How})")]
    public static partial void Stopped(ILogger logger, string endpoint, string how);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Topic endpoint {Endpoint} stopped on an unexpected error")]
    public static partial void Crashed(ILogger logger, Exception exception, string endpoint);

    [LoggerMessage(Level = LogLevel.Information, Message = "Topic endpoint {Endpoint} paused fetching of partitions {Partitions}: the in-flight limit was reached and nothing finished")]
    public static partial void Paused(ILogger logger, string endpoint, string partitions);

    [LoggerMessage(Level = LogLevel.Information, Message = "Topic endpoint {Endpoint} resumed fetching of partitions {Partitions}")]
    public static partial void Resumed(ILogger logger, string endpoint, string partitions);

    [LoggerMessage(Level = LogLevel.Information, Message = "Topic endpoint {Endpoint} assigned {Partitions}")]
    public static partial void Assigned(ILogger logger, string endpoint, string partitions);

    [LoggerMessage(Level = LogLevel.Information, Message = "Topic endpoint {Endpoint} revoked {Partitions}")]
    public static partial void Revoked(ILogger logger, string endpoint, string partitions);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Topic endpoint {Endpoint} lost {Partitions}; uncommitted messages will be delivered again")]
    public static partial void Lost(ILogger logger, string endpoint, string partitions);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Topic endpoint {Endpoint}: in-flight messages did not finish within {DrainTimeout} (or the stop's bound); they will be delivered again")]
    public static partial void DrainTimedOut(ILogger logger, string endpoint, TimeSpan drainTimeout);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Commit of {Endpoint} failed: {Error}")]
    public static partial void CommitFailed(ILogger logger, string endpoint, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka consume error on {Endpoint} (no message taken; fetching goes on from the consumer's position): {Error}")]
    public static partial void ConsumeError(ILogger logger, Exception exception, string endpoint, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Kafka could not read {Topic}[{Partition}]@{Offset} on {Endpoint}; it goes to the dead-letter topic: {Error}")]
    public static partial void Unreadable(ILogger logger, Exception exception, string endpoint, string topic, int partition, long offset, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka consumer of {Endpoint}: {Error}")]
    public static partial void ClientError(ILogger logger, string endpoint, string error);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Kafka consumer of {Endpoint} failed for good: {Error}")]
    public static partial void FatalError(ILogger logger, string endpoint, string error);
}
