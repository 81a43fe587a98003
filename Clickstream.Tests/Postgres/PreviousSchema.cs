using Clickstream.Tests.Infrastructure;
using Npgsql;

namespace Clickstream.Tests.Postgres;

/// <summary>
/// A database as an earlier version of Clickstream left it: the schema of <c>Schemas/version-N.sql</c> (each init.sql as it
/// was released, kept verbatim: history, never edited) and rows stored under it.
/// </summary>
internal static class PreviousSchema
{
    /// <summary>The columns every version has, and a digest of their values over all rows, to show that none changed.</summary>
    public const string RowsDigest = """
        SELECT count(*), md5(coalesce(string_agg(r::text, '|' ORDER BY r.event_id), ''))
        FROM (SELECT event_id, user_id, event_type, page, event_time, received_at, session_id, referrer, properties, stored_at FROM events) r
        """;

    public static string ScriptPath(int version) =>
        Path.Combine(RepositoryFolder.Path, "Clickstream.Tests", "Postgres", "Schemas", $"version-{version}.sql");

    /// <summary>A new database at schema <paramref name="version"/> holding <paramref name="rows"/> events with every column set.</summary>
    public static async Task<string> CreateDatabaseAsync(int version, int rows)
    {
        var database = await TestPostgres.CreateEmptyDatabaseAsync();
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using (var schema = new NpgsqlCommand(await File.ReadAllTextAsync(ScriptPath(version)), connection))
        {
            await schema.ExecuteNonQueryAsync();
        }
        await using var insert = new NpgsqlCommand("""
            INSERT INTO events (event_id, user_id, event_type, page, event_time, received_at, session_id, referrer, properties, stored_at)
            SELECT gen_random_uuid(), n, 'click', '/p/' || n, now() - n * interval '1 second', now() - n * interval '1 second' + interval '5 ms',
                   's-' || n % 10, CASE WHEN n % 2 = 0 THEN 'https://example.com/' END, jsonb_build_object('n', n), now() - interval '1 minute'
            FROM generate_series(1, $1) n
            """, connection)
        {
            Parameters = { new() { Value = rows } },
        };
        await insert.ExecuteNonQueryAsync();
        return database;
    }

    public static async Task<(long Rows, string Digest)> DigestAsync(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(RowsDigest, connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetString(1));
    }

    /// <summary>The events table's columns in order, as name and type.</summary>
    public static async Task<List<string>> ColumnsAsync(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT column_name || ' ' || data_type || ' ' || is_nullable FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = 'events' ORDER BY ordinal_position
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var columns = new List<string>();
        while (await reader.ReadAsync())
        {
            columns.Add(reader.GetString(0));
        }
        return columns;
    }
}
