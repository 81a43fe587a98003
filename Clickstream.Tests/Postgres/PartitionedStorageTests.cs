using Clickstream.Consumers.Configuration;
using Clickstream.Tests.Consumers;
using Clickstream.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Clickstream.Tests.Postgres;

/// <summary>The store and the read model on the partitioned table: events of several days stored once however often delivered, and read back by id.</summary>
public sealed class PartitionedStorageTests
{
    [Fact]
    public async Task Events_of_several_partitions_delivered_twice_are_stored_once_each_and_read_back_by_id()
    {
        await using var db = await PartitionedDatabase.CreateAsync();
        // Noon today (UTC), whatever the hour the test runs at: the events below span up to 400 s from a day's noon, so none
        // crosses a midnight into the neighbouring partition.
        var now = new DateTimeOffset(DateTimeOffset.UtcNow.UtcDateTime.Date, TimeSpan.Zero).AddHours(12);
        await db.Maintenance(new FakeTimeProvider(now), new PartitionOptions { PartitionsAhead = 3 }).RunAsync(CancellationToken.None);
        // Yesterday (the default partition, until the job moves it), today and the two days after: four partitions.
        var events = Enumerable.Range(0, 400).Select(i => ClickEvents.Create(i) with { EventTime = now.AddDays(i % 4 - 1).AddSeconds(i) }).ToList();
        await using var store = StoreFactory.Create(db.ConnectionString);

        var first = await store.Store.WriteAsync(events, CancellationToken.None);
        // Redelivered: the whole batch again, and half of it mixed with new events.
        var second = await store.Store.WriteAsync(events, CancellationToken.None);
        var fresh = Enumerable.Range(400, 50).Select(i => ClickEvents.Create(i) with { EventTime = now.AddSeconds(i) }).ToList();
        var third = await store.Store.WriteAsync([.. events.Take(200), .. fresh], CancellationToken.None);

        Assert.Equal(400, first.Inserted);
        Assert.Equal(0, second.Inserted);
        Assert.Equal(50, third.Inserted);
        Assert.Equal(450, await store.CountRowsAsync());
        Assert.Equal(100, await db.CountAsync("events_default"));
        await using var context = store.ReadContext();
        var reader = new Clickstream.Api.ReadModel.StoredEventReader(context);
        foreach (var e in events.Where((_, i) => i % 7 == 0))
        {
            var stored = await reader.FindAsync(e.EventId);
            Assert.NotNull(stored);
            Assert.Equal(e.EventTime, stored.EventTime);
        }
    }

    [Fact]
    public async Task An_event_id_reused_with_another_event_time_is_two_rows_read_back_as_the_one_at_the_ids_own_time_or_else_the_first_stored()
    {
        await using var db = await PartitionedDatabase.CreateAsync();
        await using var store = StoreFactory.Create(db.ConnectionString);
        var now = DateTimeOffset.UtcNow;
        // A UUIDv7 made with the event, and a random (version 4) id: each reused for an event a day later, stored first.
        var timed = ClickEvents.Create(1) with { EventId = Guid.CreateVersion7(now), EventTime = now };
        var untimed = ClickEvents.Create(2) with { EventId = Guid.NewGuid(), EventTime = now };
        foreach (var original in new[] { timed, untimed })
        {
            await store.Store.WriteAsync([original with { EventTime = now.AddDays(1), Page = "/reused" }], CancellationToken.None);
            await store.Store.WriteAsync([original], CancellationToken.None);
        }

        Assert.Equal(4, await store.CountRowsAsync());
        await using var context = store.ReadContext();
        var reader = new Clickstream.Api.ReadModel.StoredEventReader(context);
        Assert.Equal(timed.Page, (await reader.FindAsync(timed.EventId))!.Page);
        Assert.Equal("/reused", (await reader.FindAsync(untimed.EventId))!.Page);
        Assert.Null(await reader.FindAsync(Guid.CreateVersion7(now)));
    }
}
