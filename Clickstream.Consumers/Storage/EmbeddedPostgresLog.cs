using Microsoft.Extensions.Logging;

namespace Clickstream.Consumers.Storage;

internal static partial class EmbeddedPostgresLog
{
    [LoggerMessage(Level = LogLevel.Information,
        Message = "Initializing a PostgreSQL data folder in {DataDirectory} with {BinDirectory}")]
    public static partial void Initializing(ILogger logger, string dataDirectory, string binDirectory);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "PostgreSQL started on port {Port} (pid {Pid}), data folder {DataDirectory}, durable {Durable}; connect with: {PsqlCommand}")]
    public static partial void Started(ILogger logger, int port, int pid, string dataDirectory, bool durable, string psqlCommand);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Port {Port} was taken before PostgreSQL could bind it; trying another")]
    public static partial void PortTaken(ILogger logger, int port);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created database {Database}")]
    public static partial void CreatedDatabase(ILogger logger, string database);

    [LoggerMessage(Level = LogLevel.Information, Message = "PostgreSQL on port {Port} stopped; data folder {DataDirectory} {Fate}")]
    public static partial void Stopped(ILogger logger, int port, string dataDirectory, string fate);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "PostgreSQL on port {Port} did not stop within {Timeout}; killing it")]
    public static partial void KillingServer(ILogger logger, int port, TimeSpan timeout);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted stale PostgreSQL folder {Folder} of dead process {OwnerPid}")]
    public static partial void SweptStaleFolder(ILogger logger, string folder, int ownerPid);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete stale PostgreSQL folder {Folder}: {Reason}")]
    public static partial void CouldNotSweep(ILogger logger, string folder, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopping orphaned PostgreSQL server {Pid} in {Folder}")]
    public static partial void StoppedOrphan(ILogger logger, int pid, string folder);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "The PostgreSQL data folder {DataDirectory} let connections in without a password (a folder from an earlier version, or an edited pg_hba.conf): setting the superuser's generated password and switching to password authentication; the rows stay as they are")]
    public static partial void BringingForward(ILogger logger, string dataDirectory);
}
