using System.Net.Sockets;
using System.Text;
using Npgsql;

namespace Clickstream.Consumers.Storage;

/// <summary>Sorts database failures by what to do about them: retry, reject the row, or stall and shout.</summary>
internal static class PostgresErrors
{
    // Besides Npgsql's own IsTransient: admin/crash shutdown, cannot connect now, too many connections,
    // serialization failure, deadlock, and every connection exception (class 08).
    private static readonly HashSet<string> TransientStates =
    [
        PostgresErrorCodes.AdminShutdown,          // 57P01
        PostgresErrorCodes.CrashShutdown,          // 57P02
        PostgresErrorCodes.CannotConnectNow,       // 57P03
        PostgresErrorCodes.TooManyConnections,     // 53300
        PostgresErrorCodes.SerializationFailure,   // 40001
        PostgresErrorCodes.DeadlockDetected,       // 40P01
    ];

    public static bool IsTransient(Exception exception) => exception switch
    {
        PostgresException p => p.IsTransient || TransientStates.Contains(p.SqlState) || p.SqlState.StartsWith("08", StringComparison.Ordinal),
        NpgsqlException n => n.IsTransient || n.InnerException is IOException or SocketException or TimeoutException,
        IOException or SocketException or TimeoutException => true,
        _ => false,
    };

    /// <summary>
    /// The data of some row is at fault: it will fail however often it is retried. Server side, data exceptions (class
    /// 22: invalid text or jsonb such as a NUL character, out-of-range values) and integrity violations (class 23) other
    /// than the duplicate key the store handles itself; client side, a value Npgsql cannot encode.
    /// </summary>
    public static bool IsRowRejection(Exception exception) => exception switch
    {
        PostgresException p => p.SqlState.StartsWith("22", StringComparison.Ordinal)
            || (p.SqlState.StartsWith("23", StringComparison.Ordinal) && p.SqlState != PostgresErrorCodes.UniqueViolation),
        EncoderFallbackException or InvalidCastException or OverflowException => true,
        _ => false,
    };

    public static bool IsUniqueViolation(Exception exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    /// <summary>A short description for logs and dead-letter headers: SQLSTATE and message.</summary>
    public static string Describe(Exception exception) => exception switch
    {
        PostgresException p => $"{p.SqlState}: {p.MessageText}" + (p.Where is { Length: > 0 } where ? $" ({where})" : ""),
        _ => $"{exception.GetType().Name}: {exception.Message}",
    };
}
