using Microsoft.Extensions.DependencyInjection;
using Clickstream.Tests.Support;
using Clickstream.Api.Dashboard;
using Clickstream.Consumers.Storage.Partitions;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Clickstream.Tests.Api;
using Clickstream.Tests.Infrastructure;
using Npgsql;

namespace Clickstream.Tests.Dashboard;

/// <summary>
/// <c>/dashboard</c> and <c>/dashboard/data</c> of an API whose consumers run elsewhere (no broker needed for what is
/// asserted here): what the data says, who may read it, and what the page is allowed to load.
/// </summary>
public sealed class DashboardApiTests
{
    private const string Key = "dashboard-key-0001";

    [Fact]
    public async Task With_api_keys_configured_the_data_needs_a_key_and_the_page_itself_is_open()
    {
        await using var api = ApiHost.Create("127.0.0.1:9", new Dictionary<string, string> { ["Api:Keys:0"] = Key });
        using var client = api.CreateClient();

        using var page = await client.GetAsync("/dashboard");
        using var withoutKey = await client.GetAsync("/dashboard/data");
        using var wrongKey = await GetDataAsync(client, "not-the-dashboard-key");
        using var withKey = await GetDataAsync(client, Key);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, withoutKey.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongKey.StatusCode);
        Assert.Equal(HttpStatusCode.OK, withKey.StatusCode);
        Assert.Equal(0, (await withKey.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("ingest").GetProperty("accepted_total").GetInt64());
    }

    [Fact]
    public async Task Without_a_database_and_with_the_consumers_elsewhere_the_data_says_so_instead_of_failing_or_showing_zeros()
    {
        await using var api = ApiHost.Create("127.0.0.1:9", new Dictionary<string, string>());
        using var client = api.CreateClient();

        using var response = await client.GetAsync("/dashboard/data");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var data = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(data.GetProperty("consumers_in_process").GetBoolean());
        Assert.Equal(JsonValueKind.Null, data.GetProperty("consumers").ValueKind);
        var recent = data.GetProperty("recent_events");
        Assert.False(recent.GetProperty("available").GetBoolean());
        Assert.Contains("no events database configured", recent.GetProperty("reason").GetString());
        Assert.Equal(0, recent.GetProperty("events").GetArrayLength());
        var partitions = data.GetProperty("partitions");
        Assert.False(partitions.GetProperty("available").GetBoolean());
        Assert.Contains("no events database configured", partitions.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task The_partitions_of_events_the_time_they_cover_and_the_rows_waiting_in_the_default_partition_are_read_from_the_database()
    {
        var database = await TestPostgres.CreateDatabaseAsync();
        var grid = new PartitionGrid(TimeSpan.FromDays(1));
        var today = grid.CellStart(DateTimeOffset.UtcNow);
        await using (var connection = new NpgsqlConnection(database))
        {
            await connection.OpenAsync();
            foreach (var day in new[] { today, today.AddDays(1) })
            {
                await EventPartitions.CreateAsync(connection, grid.NameOf(day), day, day.AddDays(1), CancellationToken.None);
            }
            // A week ahead no partition covers: the two rows wait in events_default.
            await using var insert = new NpgsqlCommand("""
                INSERT INTO events (event_id, user_id, event_type, page, event_time)
                VALUES (gen_random_uuid(), 1, 'click', '/', @later), (gen_random_uuid(), 2, 'click', '/', @later)
                """, connection);
            insert.Parameters.AddWithValue("later", today.AddDays(7));
            await insert.ExecuteNonQueryAsync();
        }
        var partitions = await PartitionsShownAsync(database);

        Assert.True(partitions.GetProperty("available").GetBoolean());
        Assert.Equal(2, partitions.GetProperty("count").GetInt32());
        Assert.Equal(today, partitions.GetProperty("from").GetDateTimeOffset());
        Assert.Equal(today.AddDays(2), partitions.GetProperty("to").GetDateTimeOffset());
        Assert.Equal(2, partitions.GetProperty("waiting_in_default").GetInt64());
        Assert.Equal(PartitionFigures.CountedUpTo, partitions.GetProperty("waiting_counted_up_to").GetInt64());
    }

    [Fact]
    public async Task The_last_events_stored_are_read_newest_first_from_the_database_the_api_reads()
    {
        var database = await TestPostgres.CreateDatabaseAsync();
        var older = Guid.NewGuid();
        var newer = Guid.NewGuid();
        await using (var connection = new NpgsqlConnection(database))
        {
            await connection.OpenAsync();
            // stored_at set by hand: rows stored a minute apart, the older one inserted last.
            await using var insert = new NpgsqlCommand("""
                INSERT INTO events (event_id, user_id, event_type, page, event_time, stored_at)
                VALUES (@newer, 7, 'click', '/pricing', @newerTime, now()), (@older, 8, 'page_view', '/', @olderTime, now() - interval '1 minute')
                """, connection);
            insert.Parameters.AddWithValue("newer", newer);
            insert.Parameters.AddWithValue("older", older);
            // The times of the events recorded as accepted below, as the worker stores them.
            insert.Parameters.AddWithValue("newerTime", ClickEvents.Create(1).EventTime.ToUniversalTime());
            insert.Parameters.AddWithValue("olderTime", ClickEvents.Create(0).EventTime.ToUniversalTime());
            await insert.ExecuteNonQueryAsync();
        }
        await using var api = ApiHost.Create("127.0.0.1:9", new Dictionary<string, string> { ["ConnectionStrings:Events"] = database });
        using var client = api.CreateClient();
        // As if this API had accepted both (the dashboard looks up what it accepted, by primary key).
        api.Services.GetRequiredService<RecentlyAccepted>().Record(
            [ClickEvents.Create(0) with { EventId = older }, ClickEvents.Create(1) with { EventId = newer }]);

        var recent = (await client.GetFromJsonAsync<JsonElement>("/dashboard/data")).GetProperty("recent_events");

        Assert.True(recent.GetProperty("available").GetBoolean());
        var events = recent.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal([newer, older], events.Select(e => e.GetProperty("event_id").GetGuid()));
        Assert.Equal(7, events[0].GetProperty("user_id").GetInt64());
        Assert.Equal("click", events[0].GetProperty("event_type").GetString());
        Assert.Equal("/pricing", events[0].GetProperty("page").GetString());
    }

    [Fact]
    public async Task Without_a_default_partition_nothing_is_counted_as_waiting_and_no_partition_shows()
    {
        var database = await TestPostgres.CreateDatabaseAsync();
        await using (var connection = new NpgsqlConnection(database))
        {
            await connection.OpenAsync();
            // Someone else keeps the partitions, without a default one, and has made none yet.
            await using var drop = new NpgsqlCommand("ALTER TABLE events DETACH PARTITION events_default; DROP TABLE events_default", connection);
            await drop.ExecuteNonQueryAsync();
        }
        var partitions = await PartitionsShownAsync(database);

        Assert.True(partitions.GetProperty("available").GetBoolean());
        Assert.Equal(0, partitions.GetProperty("count").GetInt32());
        Assert.Equal(JsonValueKind.Null, partitions.GetProperty("to").ValueKind);
        Assert.Equal(0, partitions.GetProperty("waiting_in_default").GetInt64());
    }

    /// <summary>What <c>/dashboard/data</c> says of the partitions, from an API reading <paramref name="database"/>.</summary>
    private static async Task<JsonElement> PartitionsShownAsync(string database)
    {
        await using var api = ApiHost.Create("127.0.0.1:9", new Dictionary<string, string> { ["ConnectionStrings:Events"] = database });
        using var client = api.CreateClient();
        return (await client.GetFromJsonAsync<JsonElement>("/dashboard/data")).GetProperty("partitions").Clone();
    }

    [Fact]
    public async Task An_unreachable_database_shows_as_unavailable_read_side()
    {
        await using var api = ApiHost.Create("127.0.0.1:9", new Dictionary<string, string>
        {
            ["ConnectionStrings:Events"] = "Host=127.0.0.1;Port=9;Username=postgres;Database=clickstream;Timeout=2",
        });
        using var client = api.CreateClient();

        var recent = (await client.GetFromJsonAsync<JsonElement>("/dashboard/data")).GetProperty("recent_events");

        Assert.False(recent.GetProperty("available").GetBoolean());
        Assert.Contains("cannot be reached", recent.GetProperty("reason").GetString());
        var partitions = (await client.GetFromJsonAsync<JsonElement>("/dashboard/data")).GetProperty("partitions");
        Assert.False(partitions.GetProperty("available").GetBoolean());
        Assert.Contains("cannot be reached", partitions.GetProperty("reason").GetString());
    }

    [Theory]
    [InlineData("/dashboard", "text/html")]
    [InlineData("/dashboard/dashboard.js", "text/javascript")]
    [InlineData("/dashboard/dashboard.css", "text/css")]
    public async Task The_page_and_its_assets_are_served_by_the_api_under_a_policy_that_lets_them_reach_nothing_else(string path, string mediaType)
    {
        await using var api = ApiHost.Create("127.0.0.1:9", new Dictionary<string, string>());
        using var client = api.CreateClient();

        using var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        var policy = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("default-src 'none'", policy);
        Assert.Contains("connect-src 'self'", policy);
        Assert.Contains("script-src 'self'", policy);
        Assert.NotEmpty(await response.Content.ReadAsByteArrayAsync());
    }

    private static Task<HttpResponseMessage> GetDataAsync(HttpClient client, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/dashboard/data");
        request.Headers.Add("X-Api-Key", key);
        return client.SendAsync(request);
    }
}
