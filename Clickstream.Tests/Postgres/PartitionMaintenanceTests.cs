using Clickstream.Consumers.Configuration;
using Clickstream.Consumers.Storage.Partitions;
using Clickstream.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Clickstream.Tests.Postgres;

/// <summary>
/// The maintenance job on a real partitioned <c>events</c> table, its clock a <see cref="FakeTimeProvider"/> started at
/// the real time: partitions made ahead, rows of the default partition moved where they belong, retention exact, and
/// several workers at once.
/// </summary>
public sealed class PartitionMaintenanceTests
{
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    [Fact]
    public async Task The_current_partition_and_the_ones_ahead_are_created_once()
    {
        await using var db = await PartitionedDatabase.CreateAsync();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var maintenance = db.Maintenance(clock, new PartitionOptions { PartitionsAhead = 3 });

        var first = await maintenance.RunAsync(CancellationToken.None);
        var second = await maintenance.RunAsync(CancellationToken.None);

        var today = Midnight(clock.GetUtcNow());
        var expected = Enumerable.Range(0, 4).Select(i => $"events_p{today.AddDays(i):yyyyMMdd}").ToList();
        Assert.Equal(expected, first!.Created);
        Assert.Empty(second!.Created);
        Assert.Equal(expected.Append("events_default"), (await db.PartitionsAsync()).Select(p => p.Name));
        var partitions = await db.PartitionsAsync();
        Assert.Equal(today, partitions[0].From);
        Assert.Equal(today.AddDays(4), partitions[3].To);
    }

    [Fact]
    public async Task Four_workers_running_at_once_make_each_partition_once_without_an_error()
    {
        await using var db = await PartitionedDatabase.CreateAsync();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var workers = Enumerable.Range(0, 4).Select(_ => db.Maintenance(clock, new PartitionOptions { PartitionsAhead = 5 }, ownDataSource: true)).ToList();

        // Rounds of four at once: in each, one does the work and the others skip, or find it done.
        for (var round = 0; round < 3; round++)
        {
            await Task.WhenAll(workers.Select(w => Task.Run(() => w.RunAsync(CancellationToken.None))));
        }

        var today = Midnight(clock.GetUtcNow());
        Assert.Equal(Enumerable.Range(0, 6).Select(i => $"events_p{today.AddDays(i):yyyyMMdd}").Append("events_default"),
            (await db.PartitionsAsync()).Select(p => p.Name));
    }

    [Fact]
    public async Task Rows_the_default_partition_caught_move_into_partitions_made_for_their_day_and_none_is_lost()
    {
        await using var db = await PartitionedDatabase.CreateAsync();
        var now = DateTimeOffset.UtcNow;
        var clock = new FakeTimeProvider(now);
        // Late (5 days back), far ahead (40 days), and today: no partition exists yet, so all land in the default one.
        await db.InsertAsync(now - (5 * Day), 30);
        await db.InsertAsync(now + (40 * Day), 20);
        await db.InsertAsync(now, 10);
        Assert.Equal(60, await db.CountAsync("events_default"));
        var before = await db.DigestAsync();

        var run = await db.Maintenance(clock, new PartitionOptions { PartitionsAhead = 2 }).RunAsync(CancellationToken.None);

        Assert.Equal(60, run!.MovedRows);
        Assert.Equal(0, await db.CountAsync("events_default"));
        Assert.Equal(30, await db.CountAsync($"events_p{Midnight(now - (5 * Day)):yyyyMMdd}"));
        Assert.Equal(20, await db.CountAsync($"events_p{Midnight(now + (40 * Day)):yyyyMMdd}"));
        Assert.Equal(10, await db.CountAsync($"events_p{Midnight(now):yyyyMMdd}"));
        Assert.Equal(before, await db.DigestAsync());
        // Events arriving now route straight to their partitions.
        await db.InsertAsync(now + Day, 5);
        Assert.Equal(0, await db.CountAsync("events_default"));
    }

    [Fact]
    public async Task Retention_drops_exactly_the_partitions_wholly_past_it_and_the_expired_rows_of_the_default_partition()
    {
        await using var db = await PartitionedDatabase.CreateAsync();
        var now = DateTimeOffset.UtcNow;
        var clock = new FakeTimeProvider(now - (10 * Day));
        var options = new PartitionOptions { PartitionsAhead = 12, Retention = 3 * Day };
        // Ten days ago, the job made the partitions from then to two days ahead of now; each holds rows.
        await db.Maintenance(clock, new PartitionOptions { PartitionsAhead = 12 }).RunAsync(CancellationToken.None);
        for (var day = -10; day <= 2; day++)
        {
            await db.InsertAsync(Midnight(now).AddDays(day).AddHours(12), 3);
        }
        clock.SetUtcNow(now);
        var run = await db.Maintenance(clock, options).RunAsync(CancellationToken.None);

        var cutoff = now - (3 * Day);
        var expectedDropped = Enumerable.Range(-10, 13).Select(d => Midnight(now).AddDays(d))
            .Where(from => from + Day <= cutoff).Select(from => $"events_p{from:yyyyMMdd}").ToList();
        Assert.Equal(expectedDropped, run!.Dropped);
        var kept = await db.PartitionsAsync();
        Assert.All(kept.Where(p => !p.IsDefault), p => Assert.True(p.To > cutoff, $"{p.Name} is past the retention."));
        Assert.Contains(kept, p => p.From <= cutoff && p.To > cutoff); // the partition the cutoff falls in stays
        Assert.Equal(3 * (13 - expectedDropped.Count), await db.CountAsync("events"));
    }

    [Fact]
    public async Task An_expired_row_in_the_default_partition_is_deleted_rather_than_given_a_partition()
    {
        await using var db = await PartitionedDatabase.CreateAsync();
        var now = DateTimeOffset.UtcNow;
        await db.InsertAsync(now - (30 * Day), 4);
        await db.InsertAsync(now - (2 * Day), 6);

        var run = await db.Maintenance(new FakeTimeProvider(now), new PartitionOptions { Retention = 7 * Day }).RunAsync(CancellationToken.None);

        Assert.Equal(4, run!.ExpiredDefaultRows);
        Assert.DoesNotContain($"events_p{Midnight(now - (30 * Day)):yyyyMMdd}", run.Created);
        Assert.Equal(6, await db.CountAsync("events"));
        Assert.Equal(0, await db.CountAsync("events_default"));
    }

    [Fact]
    public async Task Hourly_partitions_are_named_by_hour_and_cover_the_hours_ahead()
    {
        await using var db = await PartitionedDatabase.CreateAsync();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);

        await db.Maintenance(clock, new PartitionOptions { PartitionInterval = TimeSpan.FromHours(6), PartitionsAhead = 4 }).RunAsync(CancellationToken.None);

        var now = clock.GetUtcNow();
        var cell = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour / 6 * 6, 0, 0, TimeSpan.Zero);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"events_p{cell.AddHours(6 * i):yyyyMMdd'_'HHmm}").Append("events_default"),
            (await db.PartitionsAsync()).Select(p => p.Name));
    }

    [Fact]
    public async Task A_worker_makes_the_partitions_at_start_and_moves_what_the_default_partition_caught_on_its_schedule()
    {
        await using var db = await PartitionedDatabase.CreateAsync();
        await using var broker = Clickstream.Kafka.Embedded.EmbeddedKafkaBroker.Start(new()
        {
            Topics = { [Clickstream.Contracts.Topics.RawEvents] = 1, [Clickstream.Contracts.Topics.RawEventsDeadLetter] = 1 },
        });
        var today = Midnight(DateTimeOffset.UtcNow);
        // Late events (a week back), caught by the default partition before any worker ran.
        await db.InsertAsync(today.AddDays(-7).AddHours(1), 3);

        using var host = await Clickstream.Tests.Consumers.ConsumersHost.StartAsync(broker.BootstrapServers, db.ConnectionString,
            new Dictionary<string, string?> { ["Storage:PartitionsAhead"] = "2", ["Storage:MaintenanceInterval"] = "00:00:01" });

        await Eventually.HoldsAsync(async () => (await db.PartitionsAsync()).Select(p => p.Name).ToHashSet().IsSupersetOf(
            [$"events_p{today:yyyyMMdd}", $"events_p{today.AddDays(2):yyyyMMdd}", $"events_p{today.AddDays(-7):yyyyMMdd}"])
            && await db.CountAsync("events_default") == 0, () => "The worker did not make the partitions.");
        Assert.Equal(3, await db.CountAsync($"events_p{today.AddDays(-7):yyyyMMdd}"));
        await host.StopAsync();
    }

    [Fact]
    public async Task A_worker_told_not_to_manage_partitions_makes_none_and_its_events_land_in_the_default_partition()
    {
        await using var db = await PartitionedDatabase.CreateAsync();
        await using var broker = Clickstream.Kafka.Embedded.EmbeddedKafkaBroker.Start(new()
        {
            Topics = { [Clickstream.Contracts.Topics.RawEvents] = 1, [Clickstream.Contracts.Topics.RawEventsDeadLetter] = 1 },
        });

        using var host = await Clickstream.Tests.Consumers.ConsumersHost.StartAsync(broker.BootstrapServers, db.ConnectionString,
            new Dictionary<string, string?> { ["Storage:ManagePartitions"] = "false", ["Storage:MaintenanceInterval"] = "00:00:01" });
        var maintenance = host.Services.GetServices<IHostedService>().OfType<PartitionMaintenanceService>().Single();
        await Eventually.HoldsAsync(() => Task.FromResult(maintenance.ExecuteTask is { IsCompletedSuccessfully: true }),
            () => "The maintenance service did not return at once.");

        var store = host.Services.GetRequiredService<Clickstream.Consumers.Storage.IClickEventStore>();
        await store.WriteAsync([Clickstream.Tests.Support.ClickEvents.Create(0)], CancellationToken.None);

        Assert.Equal(["events_default"], (await db.PartitionsAsync()).Select(p => p.Name));
        Assert.Equal(1, await db.CountAsync("events_default"));
        await host.StopAsync();
    }

    private static DateTimeOffset Midnight(DateTimeOffset time) => new(time.UtcDateTime.Date, TimeSpan.Zero);
}

/// <summary>A database of its own with the current schema (events partitioned, only the default partition yet).</summary>
internal sealed class PartitionedDatabase : IAsyncDisposable
{
    private readonly List<NpgsqlDataSource> _dataSources = [];

    private PartitionedDatabase(string connectionString)
    {
        ConnectionString = connectionString;
        DataSource = NpgsqlDataSource.Create(connectionString);
        _dataSources.Add(DataSource);
    }

    public string ConnectionString { get; }

    public NpgsqlDataSource DataSource { get; }

    public static async Task<PartitionedDatabase> CreateAsync() => new(await TestPostgres.CreateDatabaseAsync());

    /// <summary>A database made elsewhere (by a migration test, say).</summary>
    public static Task<PartitionedDatabase> OpenAsync(string connectionString) => Task.FromResult(new PartitionedDatabase(connectionString));

    public PartitionMaintenance Maintenance(TimeProvider clock, PartitionOptions options, bool ownDataSource = false)
    {
        var dataSource = DataSource;
        if (ownDataSource)
        {
            dataSource = NpgsqlDataSource.Create(ConnectionString);
            _dataSources.Add(dataSource);
        }
        return new PartitionMaintenance(dataSource, Options.Create(options), clock, NullLogger<PartitionMaintenance>.Instance);
    }

    public async Task<List<EventPartition>> PartitionsAsync()
    {
        await using var connection = await DataSource.OpenConnectionAsync();
        return await EventPartitions.ListAsync(connection, CancellationToken.None);
    }

    /// <summary><paramref name="count"/> events at <paramref name="time"/> (a millisecond apart), inserted through the parent table.</summary>
    public async Task InsertAsync(DateTimeOffset time, int count)
    {
        await using var command = DataSource.CreateCommand("""
            INSERT INTO events (event_id, user_id, event_type, page, event_time)
            SELECT gen_random_uuid(), n, 'click', '/p', $1 + n * interval '1 millisecond' FROM generate_series(1, $2) n
            """);
        command.Parameters.Add(new() { Value = time });
        command.Parameters.Add(new() { Value = count });
        await command.ExecuteNonQueryAsync();
    }

    public async Task<long> CountAsync(string table)
    {
        await using var command = DataSource.CreateCommand($"SELECT count(*) FROM {table}");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public async Task<string> DigestAsync()
    {
        await using var command = DataSource.CreateCommand("SELECT md5(string_agg(r::text, '|' ORDER BY r.event_id)) FROM (SELECT event_id, user_id, event_time FROM events) r");
        return (string)(await command.ExecuteScalarAsync())!;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var dataSource in _dataSources)
        {
            await dataSource.DisposeAsync();
        }
    }
}
