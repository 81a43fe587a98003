using Clickstream.Consumers.Configuration;
using Clickstream.Consumers.Storage;
using Clickstream.Consumers.Storage.Partitions;
using Clickstream.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Clickstream.Tests.Postgres;

/// <summary>
/// A populated single events table (schema version 2, as the last release left it) becomes the partitioned one without
/// copying a row: as the partition events_legacy. The slow steps are interruptible and the upgrade is run again.
/// </summary>
public sealed class PartitionMigrationTests
{
    [Fact]
    public async Task A_populated_version_2_table_becomes_the_legacy_partition_with_every_row_and_new_partitions_follow_it()
    {
        var database = await PreviousSchema.CreateDatabaseAsync(version: 2, rows: 20_000);
        var before = await PreviousSchema.DigestAsync(database);
        await using var dataSource = NpgsqlDataSource.Create(database);

        var (from, to) = await EventsSchema.UpgradeAsync(dataSource);

        Assert.Equal((2, 3), (from, to));
        Assert.Equal(before, await PreviousSchema.DigestAsync(database));
        await using var db = await PartitionedDatabase.OpenAsync(database);
        var partitions = await db.PartitionsAsync();
        var legacy = Assert.Single(partitions, p => p.Name == "events_legacy");
        Assert.Null(legacy.From);
        // Its bound is a UTC midnight at least a day ahead, so no event arriving during the switch falls outside it.
        Assert.Equal(TimeSpan.Zero, legacy.To!.Value.TimeOfDay);
        Assert.True(legacy.To > DateTimeOffset.UtcNow.AddDays(1));
        Assert.Equal(20_000, await db.CountAsync("events_legacy"));

        // The job makes partitions from the legacy bound on; none overlaps it.
        var run = await db.Maintenance(new FakeTimeProvider(DateTimeOffset.UtcNow), new PartitionOptions { PartitionsAhead = 4 }).RunAsync(CancellationToken.None);
        var created = (await db.PartitionsAsync()).Where(p => run!.Created.Contains(p.Name)).ToList();
        Assert.NotEmpty(created);
        Assert.Equal(legacy.To, created.Min(p => p.From));
    }

    [Fact]
    public async Task An_upgrade_interrupted_while_it_builds_the_index_leaves_an_invalid_index_and_the_next_one_completes_keeping_every_row()
    {
        var database = await PreviousSchema.CreateDatabaseAsync(version: 2, rows: 20_000);
        var before = await PreviousSchema.DigestAsync(database);
        await using var dataSource = NpgsqlDataSource.Create(database);

        // A transaction holding a snapshot: CREATE INDEX CONCURRENTLY waits for it, with its index already made and invalid.
        await using (var reader = await dataSource.OpenConnectionAsync())
        await using (var snapshot = await reader.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead))
        {
            await using (var read = new NpgsqlCommand("SELECT count(*) FROM events", reader, snapshot))
            {
                await read.ExecuteScalarAsync();
            }
            using var interrupt = new CancellationTokenSource();
            var upgrade = EventsSchema.UpgradeAsync(dataSource, interrupt.Token);
            await Eventually.HoldsAsync(() => InvalidIndexExistsAsync(dataSource), () => "The index build did not start.");
            await interrupt.CancelAsync();
            await Assert.ThrowsAnyAsync<Exception>(() => upgrade);
        }
        Assert.True(await InvalidIndexExistsAsync(dataSource));
        Assert.Equal(2, await SchemaVersion.ReadAsync(dataSource, CancellationToken.None));
        Assert.Equal(before, await PreviousSchema.DigestAsync(database));

        var (from, to) = await EventsSchema.UpgradeAsync(dataSource);

        Assert.Equal((2, 3), (from, to));
        Assert.Equal(before, await PreviousSchema.DigestAsync(database));
        Assert.False(await InvalidIndexExistsAsync(dataSource));
    }

    [Fact]
    public async Task Init_sql_run_alone_on_a_populated_table_converts_it_too_building_what_the_worker_would_build_first()
    {
        var database = await PreviousSchema.CreateDatabaseAsync(version: 2, rows: 5_000);
        var before = await PreviousSchema.DigestAsync(database);

        // ApplyAsync runs init.sql as psql -f would, without the worker's concurrent preparation.
        await EventsSchema.ApplyAsync(database);

        Assert.Equal(before, await PreviousSchema.DigestAsync(database));
        await using var db = await PartitionedDatabase.OpenAsync(database);
        Assert.Equal(["events_legacy", "events_default"], (await db.PartitionsAsync()).Select(p => p.Name));
        await using var dataSource = NpgsqlDataSource.Create(database);
        Assert.Equal(3, await SchemaVersion.ReadAsync(dataSource, CancellationToken.None));
    }

    private static async Task<bool> InvalidIndexExistsAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT EXISTS (SELECT FROM pg_index WHERE indexrelid = to_regclass('events_legacy_key') AND NOT indisvalid)");
        return (bool)(await command.ExecuteScalarAsync())!;
    }
}
