using Npgsql;

namespace Clickstream.Tests.Tracker;

/// <summary>The rows of the events table as the tracker's assertions read them.</summary>
internal sealed record TrackedRow(Guid EventId, long UserId, string EventType, string Page, string? SessionId, string? Referrer, string? Properties,
    string? UserAgent)
{
    public static async Task<IReadOnlyList<TrackedRow>> ReadAllAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var select = new NpgsqlCommand(
            "SELECT event_id, user_id, event_type, page, session_id, referrer, properties::text, user_agent FROM events ORDER BY event_time, event_id", connection);
        await using var reader = await select.ExecuteReaderAsync();
        var rows = new List<TrackedRow>();
        while (await reader.ReadAsync())
        {
            rows.Add(new TrackedRow(reader.GetGuid(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7)));
        }
        return rows;
    }
}
