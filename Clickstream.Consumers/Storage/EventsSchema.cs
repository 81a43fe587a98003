using Npgsql;

namespace Clickstream.Consumers.Storage;

/// <summary>
/// Applies the repository's <c>init.sql</c>, the single source of truth for the schema, to a database: it brings a
/// database of any earlier version up to <see cref="CurrentVersion"/> (see the script's header).
/// </summary>
public static class EventsSchema
{
    /// <summary>The schema version this build's init.sql brings a database to (the last version it records).</summary>
    public const int CurrentVersion = 3;

    /// <summary>init.sql as copied next to the assemblies by the build.</summary>
    public static string ScriptPath => Path.Combine(AppContext.BaseDirectory, "init.sql");

    // Any constant will do, as long as every process applying the schema uses the same one.
    private const long SchemaLockKey = 0x436c69636b; // "Click"

    public static async Task ApplyAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await ApplyAsync(dataSource, cancellationToken);
    }

    /// <summary>Runs init.sql whatever the database's version; it is idempotent, so this is safe at any time.</summary>
    public static async Task ApplyAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await WhileLockedAsync(connection, async () =>
        {
            await RunScriptAsync(connection, cancellationToken);
            return true;
        }, cancellationToken);
    }

    /// <summary>
    /// Runs init.sql only if the database is behind <see cref="CurrentVersion"/>, checked again under the lock: of several
    /// workers starting together against an old database, the first upgrades it and the others find it done. Returns the
    /// version found before and the one the database is at now.
    /// </summary>
    public static async Task<(int Before, int After)> UpgradeAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await WhileLockedAsync(connection, async () =>
        {
            var before = await SchemaVersion.ReadAsync(connection, cancellationToken);
            if (before >= CurrentVersion)
            {
                return (before, before);
            }
            if (before < 3)
            {
                // What version 3 needs from a populated single table, built without blocking writes.
                await LegacyTablePreparation.PrepareAsync(connection, cancellationToken);
            }
            await RunScriptAsync(connection, cancellationToken);
            var after = await SchemaVersion.ReadAsync(connection, cancellationToken);
            if (after < CurrentVersion)
            {
                throw new InvalidOperationException($"{ScriptPath} brought the database to schema version {after}, not {CurrentVersion}: "
                    + "init.sql must record every version up to EventsSchema.CurrentVersion.");
            }
            return (before, after);
        }, cancellationToken);
    }

    // Two services starting together would race in CREATE TABLE IF NOT EXISTS (it can fail with a duplicate key in
    // pg_type), so they take turns. A session lock, not a transaction, so the holder may run what refuses to run inside
    // one (CREATE INDEX CONCURRENTLY). The others ask again every 100 ms rather than wait inside pg_advisory_lock: a
    // waiting statement holds a snapshot, and CREATE INDEX CONCURRENTLY waits for every snapshot to go, so the holder
    // and the waiters would wait for each other.
    private static async Task<T> WhileLockedAsync<T>(NpgsqlConnection connection, Func<Task<T>> action, CancellationToken cancellationToken)
    {
        while (!await TryLockAsync(connection, cancellationToken))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }
        try
        {
            return await action();
        }
        finally
        {
            await ExecuteAsync(connection, $"SELECT pg_advisory_unlock({SchemaLockKey})", CancellationToken.None);
        }
    }

    private static async Task<bool> TryLockAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"SELECT pg_try_advisory_lock({SchemaLockKey})", connection);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task RunScriptAsync(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        await ExecuteAsync(connection, await ReadScriptAsync(cancellationToken), cancellationToken);

    private static async Task<string> ReadScriptAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await File.ReadAllTextAsync(ScriptPath, cancellationToken);
        }
        catch (FileNotFoundException e)
        {
            throw new FileNotFoundException(
                $"The schema script is missing from {ScriptPath}; the build copies the repository's init.sql there "
                + "(Clickstream.Consumers.csproj), so reference that project or copy the file.", ScriptPath, e);
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
