using Clickstream.Benchmarks.Infrastructure;
using Clickstream.Consumers.Storage;
using Clickstream.Tests.Infrastructure;
using Clickstream.Tests.Support;

namespace Clickstream.Tests.Benchmarks;

/// <summary>The benchmark's live count of stored rows, on both layouts it compares.</summary>
public sealed class EventsTableTests
{
    [Fact]
    public async Task Rows_inserted_are_counted_from_the_statistics_in_a_partitioned_table_and_in_a_single_one()
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync();
        await using var partitioned = await EventsDatabase.PartitionedAsync(connectionString, CancellationToken.None);
        await using var single = await EventsDatabase.SingleTableAsync(connectionString, "single_" + Guid.NewGuid().ToString("N"), CancellationToken.None);
        var events = Enumerable.Range(0, 30).Select(i => ClickEvents.Create(i)).ToList();

        foreach (var database in new[] { partitioned, single })
        {
            await using var connection = await database.DataSource.OpenConnectionAsync();
            await ClickEventCopy.WriteAsync(connection, "events", events, CancellationToken.None);
            // The statistics are flushed by each backend within seconds, not at once.
            await Eventually.HoldsAsync(async () => await EventsTable.InsertedAsync(database.DataSource, CancellationToken.None) == events.Count,
                () => $"The {(database.Partitioned ? "partitioned" : "single")} table's inserted rows were not counted.", TimeSpan.FromSeconds(30));
            Assert.Equal(events.Count, await EventsTable.CountAsync(database.DataSource, CancellationToken.None));
        }
    }
}
