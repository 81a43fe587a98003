using Clickstream.Api.Dashboard;
using Clickstream.Api.ReadModel;
using Clickstream.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Clickstream.Tests.Dashboard;

/// <summary>The dashboard's read of the last events stored, against a real database, on a fake clock.</summary>
public sealed class LatestStoredEventsTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(2_000_000_000));

    [Fact]
    public async Task The_database_is_read_at_most_once_a_second_and_every_viewer_within_that_second_gets_that_read()
    {
        var database = await TestPostgres.CreateDatabaseAsync();
        await using var services = Services(database);
        var latest = services.GetRequiredService<LatestStoredEvents>();
        var first = Guid.NewGuid();
        var second = Guid.NewGuid();
        await InsertAsync(database, first);
        services.GetRequiredService<RecentlyAccepted>().Record([Accepted(first), Accepted(second)]);

        var viewers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => latest.ReadAsync()));
        await InsertAsync(database, second);
        var withinTheSecond = await latest.ReadAsync();
        _time.Advance(TimeSpan.FromSeconds(1));
        var aSecondLater = await latest.ReadAsync();

        Assert.All(viewers, v => Assert.Equal([first], v.Events.Select(e => e.EventId)));
        Assert.Equal([first], withinTheSecond.Events.Select(e => e.EventId));
        Assert.Equal(2, aSecondLater.Events.Count);
        Assert.Contains(second, aSecondLater.Events.Select(e => e.EventId));
    }

    [Fact]
    public async Task At_most_the_newest_twenty_are_read_newest_first()
    {
        var database = await TestPostgres.CreateDatabaseAsync();
        await using var services = Services(database);
        var ids = Enumerable.Range(0, LatestStoredEvents.Count + 5).Select(_ => Guid.NewGuid()).ToList();
        await using (var connection = new NpgsqlConnection(database))
        {
            await connection.OpenAsync();
            for (var i = 0; i < ids.Count; i++)
            {
                // One second apart in stored_at: the last inserted is the newest.
                await using var insert = new NpgsqlCommand(
                    "INSERT INTO events (event_id, user_id, event_type, page, event_time, stored_at) VALUES (@id, 1, 'click', '/', @time, now() - make_interval(secs => @age))",
                    connection);
                insert.Parameters.AddWithValue("id", ids[i]);
                insert.Parameters.AddWithValue("time", AcceptedTime);
                insert.Parameters.AddWithValue("age", (double)(ids.Count - i));
                await insert.ExecuteNonQueryAsync();
            }
        }

        var recentlyAccepted = services.GetRequiredService<RecentlyAccepted>();
        recentlyAccepted.Record([.. ids.Select(Accepted)]);

        var recent = await services.GetRequiredService<LatestStoredEvents>().ReadAsync();

        Assert.True(recent.Available);
        Assert.Equal(Enumerable.Reverse(ids).Take(LatestStoredEvents.Count), recent.Events.Select(e => e.EventId));
    }

    [Fact]
    public async Task Only_events_this_api_accepted_are_looked_up_so_the_read_never_scans_the_table()
    {
        var database = await TestPostgres.CreateDatabaseAsync();
        await using var services = Services(database);
        var fromThisApi = Guid.NewGuid();
        var fromAnotherProducer = Guid.NewGuid();
        await InsertAsync(database, fromAnotherProducer);
        await InsertAsync(database, fromThisApi);
        // The same id at another time is another event (the key is event_id and event_time): not the one accepted.
        await InsertAsync(database, fromThisApi, AcceptedTime.AddDays(-2));
        services.GetRequiredService<RecentlyAccepted>().Record([Accepted(fromThisApi)]);

        var recent = await services.GetRequiredService<LatestStoredEvents>().ReadAsync();

        Assert.Equal([fromThisApi], recent.Events.Select(e => e.EventId));
    }

    [Fact]
    public void The_window_keeps_the_last_thousand_accepted_ids()
    {
        var window = new RecentlyAccepted();
        var ids = Enumerable.Range(0, RecentlyAccepted.Capacity + 10).Select(_ => Guid.NewGuid()).ToList();

        window.Record([.. ids.Take(7).Select(Accepted)]);
        Assert.Equal(ids.Take(7), window.Recent().Ids);
        foreach (var id in ids.Skip(7))
        {
            window.Record([Accepted(id)]);
        }

        Assert.Equal(ids.Skip(10).Order(), window.Recent().Ids.Order());
    }

    private static Clickstream.Contracts.ClickEvent Accepted(Guid id) => Clickstream.Tests.Support.ClickEvents.Create(0) with { EventId = id };

    // The event_time of every event Accepted makes, as stored (UTC).
    private static readonly DateTimeOffset AcceptedTime = Clickstream.Tests.Support.ClickEvents.Create(0).EventTime.ToUniversalTime();

    private ServiceProvider Services(string database)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Events"] = database })
            .Build();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddSingleton<TimeProvider>(_time)
            .AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance)
            .AddSingleton(typeof(ILogger<>), typeof(NullLogger<>))
            .AddStoredEventReads()
            .AddSingleton<RecentlyAccepted>()
            .AddSingleton<LatestStoredEvents>();
        return services.BuildServiceProvider();
    }

    /// <summary>Stores a row of <paramref name="eventId"/>, by default at the time <see cref="Accepted"/> gives its events.</summary>
    private static async Task InsertAsync(string database, Guid eventId, DateTimeOffset? eventTime = null)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var insert = new NpgsqlCommand("INSERT INTO events (event_id, user_id, event_type, page, event_time) VALUES (@id, 1, 'click', '/', @time)", connection);
        insert.Parameters.AddWithValue("id", eventId);
        insert.Parameters.AddWithValue("time", eventTime ?? AcceptedTime);
        await insert.ExecuteNonQueryAsync();
    }
}
