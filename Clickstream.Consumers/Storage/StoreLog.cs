using Microsoft.Extensions.Logging;

namespace Clickstream.Consumers.Storage;

internal static partial class StoreLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "{Operation} failed transiently (attempt {Attempt}), retrying in {DelayMs:F0} ms: {Error}")]
    public static partial void TransientFailure(ILogger logger, string operation, int attempt, double delayMs, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Operation} failed (attempt {Attempt}) for a reason that is not the data's; retrying in {DelayMs:F0} ms until it is fixed: {Error}")]
    public static partial void UnexpectedFailure(ILogger logger, Exception exception, string operation, int attempt, double delayMs, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Direct COPY of {Count} events hit a duplicate event_id; storing them through staging instead")]
    public static partial void DuplicateFallback(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {EventId} (user {UserId}) rejected by the database: {Reason}")]
    public static partial void Rejected(ILogger logger, Guid eventId, long userId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied the events schema ({Script})")]
    public static partial void SchemaApplied(ILogger logger, string script);

    [LoggerMessage(Level = LogLevel.Debug, Message = "The events table exists; schema left as it is")]
    public static partial void SchemaPresent(ILogger logger);
}
