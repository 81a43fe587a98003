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
        // To the millisecond: PostgreSQL keeps microseconds.
        var now = new DateTimeOffset(DateTimeOffset.UtcNow.UtcTicks / TimeSpan.TicksPerMillisecond * TimeSpan.TicksPerMillisecond, TimeSpan.Zero);
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
    public async Task An_event_id_reused_with_another_event_time_is_two_rows_and_read_back_as_the_first_stored()
    {
        await using var db = await PartitionedDatabase.CreateAsync();
        await using var store = StoreFactory.Create(db.ConnectionString);
        var original = ClickEvents.Create(1);
        var reused = original with { EventTime = original.EventTime.AddDays(1), Page = "/again" };

        await store.Store.WriteAsync([original], CancellationToken.None);
        await store.Store.WriteAsync([reused], CancellationToken.None);

        Assert.Equal(2, await store.CountRowsAsync());
        await using var context = store.ReadContext();
        var stored = await new Clickstream.Api.ReadModel.StoredEventReader(context).FindAsync(original.EventId);
        Assert.Equal(original.Page, stored!.Page);
    }
}
