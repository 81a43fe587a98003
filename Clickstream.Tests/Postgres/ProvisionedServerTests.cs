using Clickstream.Tests.Support;
using System.Text.Json;
using Clickstream.Contracts;
using Clickstream.Tests.Infrastructure;
using Npgsql;
using NpgsqlTypes;

namespace Clickstream.Tests.Postgres;

public sealed class ProvisionedServerTests
{
    private const int RowCount = 10_000;

    [Fact]
    public async Task Provisioned_server_applies_init_sql_and_round_trips_10000_rows_written_with_copy()
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync();
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var written = Enumerable.Range(0, RowCount).Select(SampleEvent).ToList();

        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            await using var import = await connection.BeginBinaryImportAsync(
                "COPY events (event_id, user_id, event_type, page, event_time, received_at, session_id, referrer, properties) FROM STDIN (FORMAT BINARY)");
            foreach (var clickEvent in written)
            {
                await import.StartRowAsync();
                await import.WriteAsync(clickEvent.EventId, NpgsqlDbType.Uuid);
                await import.WriteAsync(clickEvent.UserId, NpgsqlDbType.Bigint);
                await import.WriteAsync(clickEvent.EventType, NpgsqlDbType.Text);
                await import.WriteAsync(clickEvent.Page, NpgsqlDbType.Text);
                // timestamptz holds an instant: Npgsql takes DateTimeOffset only at offset zero.
                await import.WriteAsync(clickEvent.EventTime.ToUniversalTime(), NpgsqlDbType.TimestampTz);
                await WriteOrNullAsync(import, clickEvent.ReceivedAt?.ToUniversalTime(), NpgsqlDbType.TimestampTz);
                await WriteOrNullAsync(import, clickEvent.SessionId, NpgsqlDbType.Text);
                await WriteOrNullAsync(import, clickEvent.Referrer, NpgsqlDbType.Text);
                await WriteOrNullAsync(import, clickEvent.Properties?.GetRawText(), NpgsqlDbType.Jsonb);
            }

            Assert.Equal((ulong)RowCount, await import.CompleteAsync());
        }

        var stored = await ReadAllAsync(dataSource);

        Assert.Equal(RowCount, stored.Count);
        foreach (var expected in written)
        {
            var (actual, storedAt) = stored[expected.EventId];
            Assert.Equal(expected.UserId, actual.UserId);
            Assert.Equal(expected.EventType, actual.EventType);
            Assert.Equal(expected.Page, actual.Page);
            Assert.Equal(expected.EventTime, actual.EventTime); // the same instant; the offset is not stored
            Assert.Equal(expected.ReceivedAt, actual.ReceivedAt);
            Assert.Equal(expected.SessionId, actual.SessionId);
            Assert.Equal(expected.Referrer, actual.Referrer);
            Assert.Equal(expected.Properties.HasValue, actual.Properties.HasValue);
            if (expected.Properties is { } properties)
            {
                // jsonb normalizes whitespace and key order, so compare meaning, not text.
                Assert.True(JsonElement.DeepEquals(properties, actual.Properties!.Value), $"properties of {expected.EventId}");
            }

            Assert.True(storedAt > DateTimeOffset.UtcNow.AddDays(-1), "stored_at comes from init.sql's default");
        }
    }

    private static ClickEvent SampleEvent(int i)
    {
        // Whole microseconds (PostgreSQL's resolution) and assorted offsets, as clients send them.
        var day = ClickEvents.Epoch;
        var eventTime = new DateTimeOffset(day.Year, day.Month, day.Day, 0, 59, 59, TimeSpan.FromHours(i % 27 - 13)).AddTicks(i * 12_345_670L);
        return new ClickEvent
        {
            EventId = Guid.NewGuid(),
            UserId = i % 10 == 0 ? long.MaxValue - i : i * 7_919L,
            EventType = (i % 3) switch { 0 => "click", 1 => "page_view", _ => "add_to_cart" },
            Page = $"/products/{i}?q=caf\u00e9 \"quoted\" \u2713",
            EventTime = eventTime,
            ReceivedAt = i % 7 == 0 ? null : eventTime.AddMilliseconds(i % 997).ToUniversalTime(),
            SessionId = i % 3 == 0 ? null : $"session-{i / 10}",
            Referrer = i % 5 == 0 ? null : "https://example.com/search?q=shoes",
            Properties = i % 4 == 0
                ? null
                : JsonDocument.Parse($$$"""{"button": "buy", "position": {{{i}}}, "price": 12.5, "tags": ["a", "\u00fc"], "nested": {"ok": true, "none": null}}""").RootElement,
        };
    }

    private static async Task<Dictionary<Guid, (ClickEvent Event, DateTimeOffset StoredAt)>> ReadAllAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT event_id, user_id, event_type, page, event_time, received_at, session_id, referrer, properties, stored_at FROM events");
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new Dictionary<Guid, (ClickEvent, DateTimeOffset)>();
        while (await reader.ReadAsync())
        {
            var row = new ClickEvent
            {
                EventId = reader.GetGuid(0),
                UserId = reader.GetInt64(1),
                EventType = reader.GetString(2),
                Page = reader.GetString(3),
                EventTime = reader.GetFieldValue<DateTimeOffset>(4),
                ReceivedAt = await reader.IsDBNullAsync(5) ? null : reader.GetFieldValue<DateTimeOffset>(5),
                SessionId = await reader.IsDBNullAsync(6) ? null : reader.GetString(6),
                Referrer = await reader.IsDBNullAsync(7) ? null : reader.GetString(7),
                Properties = await reader.IsDBNullAsync(8) ? null : JsonDocument.Parse(reader.GetString(8)).RootElement,
            };
            rows.Add(row.EventId, (row, reader.GetFieldValue<DateTimeOffset>(9)));
        }

        return rows;
    }

    private static async Task WriteOrNullAsync<T>(NpgsqlBinaryImporter import, T? value, NpgsqlDbType type)
    {
        if (value is null)
        {
            await import.WriteNullAsync();
        }
        else
        {
            await import.WriteAsync(value, type);
        }
    }
}
