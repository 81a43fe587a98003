using System.Globalization;
using System.Text.Json;
using Clickstream.Api.ReadModel;
using Clickstream.Consumers.Storage;
using Clickstream.Contracts;
using Clickstream.Tests.Infrastructure;
using Clickstream.Tests.Support;

namespace Clickstream.Tests.Consumers;

public sealed class PostgresClickEventStoreTests
{
    [Theory]
    [InlineData(CopyStrategy.DirectWithStagingFallback)]
    [InlineData(CopyStrategy.Staging)]
    public async Task Fifty_thousand_events_are_stored_and_storing_an_overlapping_ten_thousand_again_leaves_fifty_thousand_rows(CopyStrategy strategy)
    {
        await using var db = StoreFactory.Create(await TestPostgres.CreateDatabaseAsync(), strategy);
        var events = ClickEvents.Many(50_000);

        foreach (var chunk in events.Chunk(1000))
        {
            var outcome = await db.Store.WriteAsync(chunk, CancellationToken.None);
            Assert.Equal(new StoreOutcome(chunk.Length, 0, []), outcome with { Rejected = [] });
        }
        Assert.Equal(50_000, await db.CountRowsAsync());

        // 5,000 already stored and 5,000 new ones would make 55,000: re-deliver only stored ones, plus duplicates in one batch.
        var overlap = events.Skip(45_000).Concat(events.Skip(40_000).Take(5_000)).ToList();
        var again = StoreOutcome.Empty;
        foreach (var chunk in overlap.Chunk(1000))
        {
            again = again.Add(await db.Store.WriteAsync(chunk, CancellationToken.None));
        }
        Assert.Equal((0, 10_000), (again.Inserted, again.Duplicates));
        Assert.Equal(50_000, await db.CountRowsAsync());
    }

    [Fact]
    public async Task A_batch_holding_the_same_event_twice_stores_it_once_next_to_new_events()
    {
        await using var db = StoreFactory.Create(await TestPostgres.CreateDatabaseAsync());
        var stored = ClickEvents.Many(3);
        await db.Store.WriteAsync(stored, CancellationToken.None);

        var fresh = ClickEvents.Create(10);
        var outcome = await db.Store.WriteAsync([stored[0], fresh, stored[1], fresh], CancellationToken.None);

        Assert.Equal((1, 3), (outcome.Inserted, outcome.Duplicates));
        Assert.Equal(4, await db.CountRowsAsync());
    }

    [Fact]
    public async Task Every_field_round_trips_with_timestamps_kept_as_instants_unicode_json_and_nulls()
    {
        await using var db = StoreFactory.Create(await TestPostgres.CreateDatabaseAsync());
        var day = ClickEvents.Epoch.AddDays(-1); // yesterday: a day boundary in +05:30 and in UTC
        var full = new ClickEvent
        {
            EventId = Guid.NewGuid(),
            UserId = long.MaxValue,
            EventType = "add_to_cart",
            Page = "https://shop.example.com/p/42?q=ünïcødé&emoji=🛒#top",
            // timestamptz keeps the instant (to the microsecond), not the client's offset: +05:30 comes back as UTC.
            EventTime = new DateTimeOffset(day.Year, day.Month, day.Day, 23, 59, 58, TimeSpan.FromHours(5.5)).AddTicks(1_234_560),
            ReceivedAt = new DateTimeOffset(day.Year, day.Month, day.Day, 10, 0, 0, TimeSpan.FromHours(-8)).AddTicks(10),
            SessionId = "sess-日本語-\u0301é",
            Referrer = "https://example.com/?a=1&b=\"quoted\"",
            Properties = JsonDocument.Parse("""{"sku":"A-1","qty":2,"price":19.90,"tags":["x","🙂"],"nested":{"ok":true,"none":null},"text":"line\nbreak \\ \"q\""}""").RootElement,

            UserAgent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36 ünï🛒",
            ClientAddress = System.Net.IPNetwork.Parse("2001:db8:abcd::/48"),
        };
        var wholeAddress = new ClickEvent
        {
            EventId = Guid.NewGuid(),
            UserId = 7,
            EventType = "click",
            Page = "/",
            EventTime = ClickEvents.Epoch,
            ClientAddress = System.Net.IPNetwork.Parse("203.0.113.7/32"),
        };
        var bare = new ClickEvent
        {
            EventId = Guid.NewGuid(),
            UserId = long.MinValue,
            EventType = "",
            Page = "/",
            EventTime = DateTimeOffset.UnixEpoch,
        };
        var before = DateTimeOffset.UtcNow;

        await db.Store.WriteAsync([full, bare, wholeAddress], CancellationToken.None);

        await using var context = db.ReadContext();
        var reader = new StoredEventReader(context);
        Assert.Equal(3, await reader.CountAsync());
        AssertStoredAs(full, (await reader.FindAsync(full.EventId))!, before);
        AssertStoredAs(bare, (await reader.FindAsync(bare.EventId))!, before);
        AssertStoredAs(wholeAddress, (await reader.FindAsync(wholeAddress.EventId))!, before);
        // inet keeps the netmask; PostgreSQL prints a whole address without it.
        Assert.Equal("2001:db8:abcd::/48", (await reader.FindAsync(full.EventId))!.ClientAddress);
        Assert.Equal("203.0.113.7", (await reader.FindAsync(wholeAddress.EventId))!.ClientAddress);
        Assert.Null(await reader.FindAsync(Guid.NewGuid()));
    }

    [Theory]
    [InlineData("2000-01-01T00:00:00.0000019Z", "2000-01-01T00:00:00.0000010Z")]
    [InlineData("1999-12-31T23:59:59.9999999Z", "1999-12-31T23:59:59.9999990Z")]
    [InlineData("1970-01-01T00:00:00.0000005+01:00", "1969-12-31T23:00:00.0000000Z")]
    [InlineData("9999-12-31T23:59:59.9999999Z", "9999-12-31T23:59:59.9999990Z")]
    public async Task A_time_finer_than_a_microsecond_is_stored_as_the_microsecond_it_falls_in(string sent, string stored)
    {
        await using var db = StoreFactory.Create(await TestPostgres.CreateDatabaseAsync());
        var clickEvent = ClickEvents.Create(1) with { EventTime = DateTimeOffset.Parse(sent, CultureInfo.InvariantCulture) };

        await db.Store.WriteAsync([clickEvent], CancellationToken.None);

        await using var context = db.ReadContext();
        var found = await new StoredEventReader(context).FindAsync(clickEvent.EventId);
        Assert.Equal(DateTimeOffset.Parse(stored, CultureInfo.InvariantCulture), found!.EventTime);
    }

    [Fact]
    public async Task Rows_the_database_refuses_are_returned_as_rejected_and_their_batch_mates_are_stored()
    {
        await using var db = StoreFactory.Create(await TestPostgres.CreateDatabaseAsync());
        var events = ClickEvents.Many(1000);
        // PostgreSQL text cannot hold NUL, and jsonb refuses the \u0000 escape: valid JSON, valid ClickEvents, refused rows.
        events[17] = events[17] with { Page = "/bad\u0000page" };
        events[600] = events[600] with { Properties = JsonDocument.Parse("""{"note":"\u0000"}""").RootElement };

        var outcome = await db.Store.WriteAsync(events, CancellationToken.None);

        Assert.Equal([17, 600], outcome.Rejected.Select(r => r.Index));
        Assert.Equal([events[17].EventId, events[600].EventId], outcome.Rejected.Select(r => r.Event.EventId));
        Assert.All(outcome.Rejected, r => Assert.StartsWith("22", r.Reason));
        Assert.Equal(998, outcome.Inserted);
        var stored = await db.StoredIdsAsync();
        Assert.Equal(events.Select(e => e.EventId).Except([events[17].EventId, events[600].EventId]).Order(), stored.Order());
    }

    private static void AssertStoredAs(ClickEvent expected, StoredEvent stored, DateTimeOffset notBefore)
    {
        Assert.Equal(expected.EventId, stored.EventId);
        Assert.Equal(expected.UserId, stored.UserId);
        Assert.Equal(expected.EventType, stored.EventType);
        Assert.Equal(expected.Page, stored.Page);
        Assert.Equal(expected.EventTime.UtcDateTime, stored.EventTime.UtcDateTime);
        Assert.Equal(TimeSpan.Zero, stored.EventTime.Offset);
        Assert.Equal(expected.ReceivedAt?.UtcDateTime, stored.ReceivedAt?.UtcDateTime);
        Assert.Equal(expected.SessionId, stored.SessionId);
        Assert.Equal(expected.Referrer, stored.Referrer);
        Assert.Equal(expected.UserAgent, stored.UserAgent);
        Assert.Equal(expected.ClientAddress is { } network ? ClientAddressJsonConverter.Format(network) : null, stored.ClientAddress);
        Assert.Equal(expected.Properties is null, stored.Properties is null);
        if (expected.Properties is { } properties)
        {
            // jsonb normalizes key order and whitespace: the JSON value is what round-trips.
            Assert.True(JsonElement.DeepEquals(properties, stored.Properties!.Value), stored.Properties.Value.GetRawText());
        }
        Assert.InRange(stored.StoredAt, notBefore.AddSeconds(-5), DateTimeOffset.UtcNow.AddSeconds(5));
    }
}
