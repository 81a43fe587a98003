using Microsoft.Extensions.Logging;

namespace Clickstream.Consumers.Storage;

internal static partial class StoreLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "{Operation} failed transiently (attempt {Attempt}), retrying in {DelayMs:F0} ms: {Error}")]
    public static partial void TransientFailure(ILogger logger, string operation, int attempt, double delayMs, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Operation} failed (attempt {Attempt}) because of the database's set-up, not the data; nothing is skipped, retrying in {DelayMs:F0} ms until it is fixed: {Error}. To fix: {Remedy}")]
    public static partial void SetUpFailure(ILogger logger, Exception exception, string operation, int attempt, double delayMs, string error, string remedy);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Direct COPY of {Count} events hit a duplicate event_id; storing them through staging instead")]
    public static partial void DuplicateFallback(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {EventId} (user {UserId}) rejected by the database: {Reason}")]
    public static partial void Rejected(ILogger logger, Guid eventId, long userId, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Event {EventId} failed alone ({Reason}) and a probe row passed: the failure is the event's")]
    public static partial void ProbePassed(ILogger logger, Guid eventId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied the events schema ({Script}): version {Before} to {After}")]
    public static partial void SchemaApplied(ILogger logger, string script, int before, int after);

    [LoggerMessage(Level = LogLevel.Debug, Message = "The events schema is at version {Version} (this worker writes version {Current}); left as it is")]
    public static partial void SchemaPresent(ILogger logger, int version, int current);
}
