using Microsoft.Extensions.Logging;

namespace Clickstream.ServiceDefaults.Hosting;

internal static partial class HostingLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping, within {Bound} (Ingestion:ShutdownTimeout)")]
    public static partial void Stopping(ILogger logger, TimeSpan bound);

    [LoggerMessage(Level = LogLevel.Information, Message = "Received {Signal}: stopping")]
    public static partial void ReceivedSignal(ILogger logger, string signal);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Stopped before the start completed (it was waiting for a dependency, or still starting one): nothing was consumed or committed")]
    public static partial void StoppedWhileStarting(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "The stop did not complete within {Bound} (Ingestion:ShutdownTimeout): exiting now; work not yet committed is delivered again after a restart")]
    public static partial void StopTimedOut(ILogger logger, TimeSpan bound);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Hosted services were abandoned at the shutdown timeout; work not yet committed is delivered again after a restart")]
    public static partial void AbandonedAtTimeout(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "The stop failed")]
    public static partial void StopFailed(ILogger logger, Exception exception);
}
