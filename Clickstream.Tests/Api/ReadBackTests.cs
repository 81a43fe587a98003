using Clickstream.Tests.Support;
using System.Net;
using System.Text.Json;
using Clickstream.Tests.Infrastructure;
using Npgsql;

namespace Clickstream.Tests.Api;

/// <summary><c>GET /events/{event_id}</c>: a client checks that an event was stored; ingestion never needs the database.</summary>
public sealed class ReadBackTests
{
    [Fact]
    public async Task A_stored_event_is_read_back_with_every_stored_field_and_an_unknown_one_is_404()
    {
        var database = await TestPostgres.CreateDatabaseAsync();
        var eventId = Guid.NewGuid();
        var eventTime = new DateTimeOffset(ClickEvents.Epoch.UtcDateTime, TimeSpan.Zero);
        await using (var connection = new NpgsqlConnection(database))
        {
            await connection.OpenAsync();
            await using var insert = new NpgsqlCommand($$"""
                INSERT INTO events (event_id, user_id, event_type, page, event_time, received_at, session_id, referrer, properties, user_agent, client_address)
                VALUES ('{{eventId}}', 42, 'click', '/pricing', @event_time::timestamptz, @received_at, 's-1', NULL, '{"button": "buy"}',
                        'Mozilla/5.0 (X11; Linux x86_64)', '2001:db8:abcd::/48')
                """, connection);
            // In +02:00, as a client may send it: read back in UTC.
            insert.Parameters.AddWithValue("event_time", eventTime.ToOffset(TimeSpan.FromHours(2)).ToString("yyyy-MM-ddTHH:mm:sszzz"));
            insert.Parameters.AddWithValue("received_at", eventTime.AddSeconds(1));
            await insert.ExecuteNonQueryAsync();
        }
        await using var factory = ApiHost.Create("127.0.0.1:9", new Dictionary<string, string> { ["ConnectionStrings:Events"] = database });
        using var client = factory.CreateClient();

        var found = await client.GetAsync($"/events/{eventId}");
        var missing = await client.GetAsync($"/events/{Guid.NewGuid()}");

        Assert.Equal(HttpStatusCode.OK, found.StatusCode);
        var body = JsonDocument.Parse(await found.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(eventId, body.GetProperty("event_id").GetGuid());
        Assert.Equal(42, body.GetProperty("user_id").GetInt64());
        Assert.Equal(eventTime, body.GetProperty("event_time").GetDateTimeOffset());
        Assert.Equal(TimeSpan.Zero, body.GetProperty("event_time").GetDateTimeOffset().Offset);
        Assert.Equal(eventTime.AddSeconds(1), body.GetProperty("received_at").GetDateTimeOffset());
        Assert.Equal("buy", body.GetProperty("properties").GetProperty("button").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("referrer").ValueKind);
        Assert.Equal("Mozilla/5.0 (X11; Linux x86_64)", body.GetProperty("user_agent").GetString());
        Assert.Equal("2001:db8:abcd::/48", body.GetProperty("client_address").GetString());
        Assert.True(body.GetProperty("stored_at").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-5));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Against_a_database_still_at_the_previous_schema_read_back_answers_503_saying_a_worker_upgrades_it()
    {
        var database = await Postgres.PreviousSchema.CreateDatabaseAsync(version: 1, rows: 1);
        await using var factory = ApiHost.Create("127.0.0.1:9", new Dictionary<string, string> { ["ConnectionStrings:Events"] = database });
        using var client = factory.CreateClient();

        using var response = await client.GetAsync($"/events/{Guid.NewGuid()}");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.True(response.Headers.RetryAfter is not null);
        Assert.Contains("older schema", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Host=127.0.0.1;Port=9;Username=postgres;Database=clickstream;Timeout=2")]
    [InlineData(null)]
    public async Task Without_a_reachable_database_read_back_answers_503_with_retry_after(string? connectionString)
    {
        var settings = connectionString is null
            ? new Dictionary<string, string>()
            : new Dictionary<string, string> { ["ConnectionStrings:Events"] = connectionString };
        await using var factory = ApiHost.Create("127.0.0.1:9", settings);
        using var client = factory.CreateClient();

        var response = await client.GetAsync($"/events/{Guid.NewGuid()}");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
