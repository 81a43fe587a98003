using Microsoft.Extensions.Logging;

namespace Clickstream.Consumers.Consuming;

internal static partial class ConsumerLog
{
    [LoggerMessage(Level = LogLevel.Information,
        Message = "Stored batch of {BatchSize} events ({Inserted} new, {Duplicates} duplicates, {Rejected} dead-lettered) from partitions [{Partitions}] in {DurationMs:F1} ms")]
    public static partial void BatchStored(ILogger logger, int batchSize, int inserted, int duplicates, int rejected, string partitions, double durationMs);
}
