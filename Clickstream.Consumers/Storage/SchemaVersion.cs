using Npgsql;

namespace Clickstream.Consumers.Storage;

/// <summary>
/// The schema version a database is at, read without DDL or locks: the highest version in <c>clickstream_schema</c>;
/// 1 for an <c>events</c> table made before versions were recorded (init.sql before issue 14); 0 for no events table.
/// </summary>
public static class SchemaVersion
{
    /// <summary>No events table: init.sql was never applied.</summary>
    public const int None = 0;

    /// <summary>The events table as it was before the schema was versioned: no <c>clickstream_schema</c> table.</summary>
    public const int Unrecorded = 1;

    public static async Task<int> ReadAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await ReadAsync(connection, cancellationToken);
    }

    public static async Task<int> ReadAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        bool events, recorded;
        await using (var tables = new NpgsqlCommand(
            "SELECT to_regclass('events') IS NOT NULL, to_regclass('clickstream_schema') IS NOT NULL", connection))
        await using (var reader = await tables.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            (events, recorded) = (reader.GetBoolean(0), reader.GetBoolean(1));
        }
        if (!events)
        {
            return None;
        }
        if (!recorded)
        {
            return Unrecorded;
        }
        // A separate query: one that names clickstream_schema fails to parse where the table does not exist.
        await using var version = new NpgsqlCommand("SELECT coalesce(max(version), 1) FROM clickstream_schema", connection);
        return (int)(await version.ExecuteScalarAsync(cancellationToken))!;
    }
}
