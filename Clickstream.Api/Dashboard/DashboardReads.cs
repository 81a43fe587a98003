using Clickstream.Api.ReadModel;
using Npgsql;

namespace Clickstream.Api.Dashboard;

/// <summary>The dashboard's database reads: a read that cannot be made becomes a result that says why, not an error.</summary>
internal static partial class DashboardReads
{
    /// <summary>
    /// <paramref name="read"/>'s result; or, without a database configured or when it does not answer,
    /// <paramref name="unavailable"/> with the reason, the latter logged at Debug (an open dashboard asks again and again,
    /// and the page already says it).
    /// </summary>
    public static async Task<T> OrUnavailableAsync<T>(Func<Task<T>> read, Func<string, T> unavailable, string what, ILogger logger)
    {
        try
        {
            return await read();
        }
        catch (NoEventsDatabaseException e)
        {
            return unavailable(e.Message);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or OperationCanceledException or InvalidOperationException { InnerException: NpgsqlException })
        {
            LogUnreadable(logger, what, e.Message);
            return unavailable($"The events database cannot be reached: {what} cannot be read now.");
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "The dashboard could not read {What}: {Reason}")]
    private static partial void LogUnreadable(ILogger logger, string what, string reason);
}
