using System.Net.Sockets;
using Npgsql;

namespace Clickstream.Consumers.Storage;

/// <summary>Whom a failed write blames, and so what the store does about it.</summary>
internal enum Blame
{
    /// <summary>
    /// The connection or the server, for now: a lost connection, a shutdown, out of disk or memory, a timeout, a conflict
    /// with another transaction. It passes by itself: the partition stalls, retried with backoff, nothing skipped.
    /// </summary>
    Server,

    /// <summary>
    /// How the database is set up (a missing table, a missing privilege, a read-only database): it fails every row
    /// alike and passes only when an operator fixes it. The partition stalls, retried with backoff, with an error log
    /// saying what to fix; dead-lettering would send the whole stream to the dead-letter topic.
    /// </summary>
    SetUp,

    /// <summary>
    /// Possibly the data of one row (invalid text, a number out of range, a value too large for an index). The batch
    /// is bisected down to the row; the row is dead-lettered only if a probe row then passes where it failed, which
    /// proves the failure follows that row and not every row.
    /// </summary>
    Row,
}

/// <summary>
/// Sorts database failures by whom they blame (<see cref="Blame"/>). The table, by SQLSTATE class
/// (https://www.postgresql.org/docs/15/errcodes-appendix.html):
/// <list type="table">
/// <item><term>Server</term><description>08 connection exception, 40 transaction rollback (serialization, deadlock),
/// 53 insufficient resources (disk full, out of memory, too many connections), 55 object not in prerequisite state
/// (lock not available), 57 operator intervention (statement timeout / query canceled, admin or crash shutdown, cannot
/// connect now), 58 system error (I/O), XX internal error (data or index corrupted); and every failure that is not the
/// server's answer: an I/O, socket or timeout exception, or an <see cref="NpgsqlException"/> of the connection.</description></item>
/// <item><term>SetUp</term><description>0A feature not supported, 25 invalid transaction state (read-only database),
/// 26 and 34 (statement and cursor names), 28 invalid authorization, 2B dependent privilege descriptors, 3D no such
/// database, 3F no such schema, 42 syntax error or access rule violation (no such table or column, insufficient
/// privilege, a column of another type), F0 configuration file error, HV foreign data wrapper error.</description></item>
/// <item><term>Row</term><description>Everything else: chiefly 22 data exception (NUL in text, a number out of
/// range), 23 integrity constraint violation, 54 program limit exceeded (index row too large), P0 raised by a
/// trigger; and client-side failures to encode a value. A Row failure that a probe row also meets is treated as
/// SetUp (see <see cref="PostgresClickEventStore"/>).</description></item>
/// </list>
/// </summary>
internal static class PostgresErrors
{
    private static readonly Dictionary<string, Blame> ByClass = new(StringComparer.Ordinal)
    {
        ["08"] = Blame.Server,
        ["40"] = Blame.Server,
        ["53"] = Blame.Server,
        ["55"] = Blame.Server,
        ["57"] = Blame.Server,
        ["58"] = Blame.Server,
        ["XX"] = Blame.Server,
        ["0A"] = Blame.SetUp,
        ["25"] = Blame.SetUp,
        ["26"] = Blame.SetUp,
        ["28"] = Blame.SetUp,
        ["2B"] = Blame.SetUp,
        ["34"] = Blame.SetUp,
        ["3D"] = Blame.SetUp,
        ["3F"] = Blame.SetUp,
        ["42"] = Blame.SetUp,
        ["F0"] = Blame.SetUp,
        ["HV"] = Blame.SetUp,
    };

    public static Blame Classify(Exception exception) => exception switch
    {
        PostgresException p => ByClass.GetValueOrDefault(p.SqlState[..2], Blame.Row),
        // A value Npgsql could not encode (an unpaired surrogate, say) is the row's, however Npgsql wraps it.
        NpgsqlException { InnerException: ArgumentException or InvalidCastException or OverflowException or FormatException } => Blame.Row,
        // Npgsql's other exceptions are not the server's answer but the connection's (broken, timed out, pool exhausted);
        // so are I/O errors that reach us unwrapped.
        NpgsqlException or IOException or SocketException or TimeoutException => Blame.Server,
        _ => Blame.Row,
    };

    public static bool IsUniqueViolation(Exception exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    /// <summary>What an operator can do about a <see cref="Blame.SetUp"/> failure, for the log.</summary>
    public static string Remedy(Exception exception) => exception switch
    {
        PostgresException { SqlState: PostgresErrorCodes.UndefinedTable } =>
            "the events table is missing: apply init.sql (the worker applies it at start when EventStore:ApplySchemaAtStart is true)",
        PostgresException { SqlState: PostgresErrorCodes.InsufficientPrivilege } =>
            "the database user lacks a privilege: GRANT SELECT, INSERT ON events (and TEMPORARY on the database) to it; "
            + "to upgrade the schema it must own the events table, or apply init.sql as its owner",
        PostgresException { SqlState: PostgresErrorCodes.UndefinedColumn } =>
            "the events table lacks a column of this version's schema: apply init.sql (a worker applies it at start when its "
            + "database's schema version is behind and EventStore:ApplySchemaAtStart is true)",
        PostgresException { SqlState: PostgresErrorCodes.ReadOnlySqlTransaction } =>
            "the database is read-only (a standby, or default_transaction_read_only): point ConnectionStrings:Events at the primary",
        PostgresException { SqlState: var state } when state.StartsWith("42", StringComparison.Ordinal) =>
            "the events table does not match init.sql: compare its columns and types with init.sql",
        PostgresException { SqlState: var state } when state.StartsWith("28", StringComparison.Ordinal) =>
            "the database refuses the login: check the user and password in ConnectionStrings:Events",
        PostgresException { SqlState: var state } when state.StartsWith("3D", StringComparison.Ordinal) =>
            "the database does not exist: create it, or fix ConnectionStrings:Events",
        _ => "every row fails the same way, so the database's set-up refuses them; fix it and the stored events resume",
    };

    /// <summary>A short description for logs and dead-letter headers: SQLSTATE and message.</summary>
    public static string Describe(Exception exception) => exception switch
    {
        PostgresException p => $"{p.SqlState}: {p.MessageText}" + (p.Where is { Length: > 0 } where ? $" ({where})" : ""),
        _ => $"{exception.GetType().Name}: {exception.Message}",
    };
}
