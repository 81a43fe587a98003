using Clickstream.Tests.Infrastructure;
using Npgsql;

namespace Clickstream.Tests.Faults;

/// <summary>
/// What the events table holds, read with SQL, against what was acknowledged: each acknowledged event_id exactly once,
/// no row besides them.
/// </summary>
internal static class StoredRows
{
    /// <summary>All rows of the events table.</summary>
    public static async Task<long> CountAsync(string connectionString)
    {
        await using var connection = await OpenAsync(connectionString);
        await using var count = new NpgsqlCommand("SELECT count(*) FROM events", connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    /// <summary>How many of these event ids have a row.</summary>
    public static async Task<long> CountStoredAsync(string connectionString, IReadOnlyCollection<Guid> ids)
    {
        await using var connection = await OpenAsync(connectionString);
        await using var count = new NpgsqlCommand("SELECT count(DISTINCT event_id) FROM events WHERE event_id = ANY($1)", connection)
        {
            Parameters = { new() { Value = ids.ToArray() } },
        };
        return (long)(await count.ExecuteScalarAsync())!;
    }

    /// <summary>Rows per event_id (more than one would be a duplicate the store let through).</summary>
    public static async Task<Dictionary<Guid, long>> CountsAsync(string connectionString)
    {
        await using var connection = await OpenAsync(connectionString);
        await using var select = new NpgsqlCommand("SELECT event_id, count(*) FROM events GROUP BY event_id", connection);
        await using var reader = await select.ExecuteReaderAsync();
        var counts = new Dictionary<Guid, long>();
        while (await reader.ReadAsync())
        {
            counts[reader.GetGuid(0)] = reader.GetInt64(1);
        }
        return counts;
    }

    /// <summary>Waits until all these events are stored (bounded); the failure says how many of <paramref name="what"/> were, then <paramref name="diagnostics"/>.</summary>
    public static async Task WaitUntilStoredAsync(
        string connectionString, IReadOnlyCollection<Guid> ids, string what, Func<string> diagnostics, TimeSpan? failsafe = null)
    {
        long stored = 0;
        await Eventually.HoldsAsync(async () =>
        {
            try
            {
                return (stored = await CountStoredAsync(connectionString, ids)) == ids.Count;
            }
            catch (NpgsqlException)
            {
                return false; // the server is still starting
            }
        }, () => $"Only {stored} of {ids.Count} {what} were stored within the failsafe bound.\n{diagnostics()}",
            failsafe ?? Eventually.DefaultFailsafe);
    }

    /// <summary>Waits until every acknowledged event is stored (bounded), then asserts exactly once each and nothing else.</summary>
    public static async Task AssertEachStoredExactlyOnceAsync(string connectionString, IReadOnlyCollection<Guid> acknowledged, Func<string> diagnostics)
    {
        Assert.NotEmpty(acknowledged);
        var expected = acknowledged.ToHashSet();
        Assert.True(expected.Count == acknowledged.Count, $"{acknowledged.Count - expected.Count} event ids were acknowledged twice.");
        await WaitUntilStoredAsync(connectionString, expected, "acknowledged events", diagnostics);

        var counts = await CountsAsync(connectionString);
        var duplicated = counts.Where(c => c.Value != 1).ToList();
        Assert.True(duplicated.Count == 0, $"{duplicated.Count} event ids are stored more than once, e.g. {string.Join(", ", duplicated.Take(5))}.");
        var others = counts.Keys.Where(id => !expected.Contains(id)).ToList();
        Assert.True(others.Count == 0, $"{others.Count} rows are not acknowledged events, e.g. {string.Join(", ", others.Take(5))}.");
    }

    // No pooling: the server may have been restarted since the last read, and pooled connections die with it.
    private static async Task<NpgsqlConnection> OpenAsync(string connectionString)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }
}
