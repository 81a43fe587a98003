using Microsoft.Extensions.Logging;

namespace Clickstream.Consumers.Storage.Partitions;

internal static partial class PartitionLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Created partition {Partition} for events from {From:O} to {To:O}; {Moved} rows moved into it from events_default")]
    public static partial void Created(ILogger logger, string partition, DateTimeOffset from, DateTimeOffset to, long moved);

    [LoggerMessage(Level = LogLevel.Information, Message = "Dropped partition {Partition} ({From:O} to {To:O}, about {Rows} rows): past the retention of {Retention}")]
    public static partial void Dropped(ILogger logger, string partition, DateTimeOffset? from, DateTimeOffset to, long rows, TimeSpan retention);

    [LoggerMessage(Level = LogLevel.Information, Message = "Dropping partition {Partition} waited {Timeout} for the events table and gave up: COPY goes first; the next run tries again")]
    public static partial void DropPostponed(ILogger logger, string partition, TimeSpan timeout);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Partition maintenance: {Created} created, {Moved} rows moved from events_default, {Dropped} dropped, {Expired} expired rows deleted from events_default, drops postponed: {Postponed}")]
    public static partial void Ran(ILogger logger, int created, long moved, int dropped, int expired, bool postponed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Partition maintenance failed; it runs again in {Interval}")]
    public static partial void Failed(ILogger logger, Exception exception, TimeSpan interval);

    [LoggerMessage(Level = LogLevel.Information, Message = "Partition maintenance is off (Storage:ManagePartitions=false): this worker makes and drops no partitions")]
    public static partial void Off(ILogger logger);
}
