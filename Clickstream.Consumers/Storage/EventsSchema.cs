using Npgsql;

namespace Clickstream.Consumers.Storage;

/// <summary>Applies the repository's <c>init.sql</c>, the single source of truth for the schema, to a database.</summary>
public static class EventsSchema
{
    /// <summary>init.sql as copied next to the assemblies by the build.</summary>
    public static string ScriptPath => Path.Combine(AppContext.BaseDirectory, "init.sql");

    // Any constant will do, as long as every process applying the schema uses the same one.
    private const long SchemaLockKey = 0x436c69636b; // "Click"

    public static async Task ApplyAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await ApplyAsync(dataSource, cancellationToken);
    }

    /// <summary>Runs init.sql; it is idempotent, so this is safe at every start of every service.</summary>
    public static async Task ApplyAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        var script = await ReadScriptAsync(cancellationToken);

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // Two services starting together would race in CREATE TABLE IF NOT EXISTS (it can fail with a
        // duplicate key in pg_type), so they take turns. A session lock, not a transaction, so init.sql may
        // one day hold statements that refuse to run inside one (CREATE INDEX CONCURRENTLY).
        await ExecuteAsync(connection, $"SELECT pg_advisory_lock({SchemaLockKey})", cancellationToken);
        try
        {
            await ExecuteAsync(connection, script, cancellationToken);
        }
        finally
        {
            await ExecuteAsync(connection, $"SELECT pg_advisory_unlock({SchemaLockKey})", CancellationToken.None);
        }
    }

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
