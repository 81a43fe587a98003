using Clickstream.Consumers.Storage;
using Clickstream.Contracts;
using Clickstream.Kafka.Embedded;
using Clickstream.Tests.Consumers;
using Clickstream.Tests.Infrastructure;
using Clickstream.Tests.Support;
using Npgsql;

namespace Clickstream.Tests.Postgres;

/// <summary>
/// Databases made by an earlier version (the standalone run's data folder, a deployment) are brought up to the current
/// schema by a worker's start without losing a row; the upgrade is idempotent, safe for several workers at once, and an
/// up-to-date database is left alone.
/// </summary>
public sealed class SchemaUpgradeTests
{
    private static readonly TimeSpan StartFailsafe = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task A_worker_starting_against_a_version_1_database_upgrades_it_keeping_every_row_and_stores_new_events_with_user_agent_and_address()
    {
        var database = await PreviousSchema.CreateDatabaseAsync(version: 1, rows: 20_000);
        var before = await PreviousSchema.DigestAsync(database);
        await using var dataSource = NpgsqlDataSource.Create(database);
        Assert.Equal(1, await SchemaVersion.ReadAsync(dataSource, CancellationToken.None));
        await using var broker = EmbeddedKafkaBroker.Start(new() { Topics = { [Topics.RawEvents] = PipelineProbe.Partitions, [Topics.RawEventsDeadLetter] = 1 } });

        using var host = await ConsumersHost.StartAsync(broker.BootstrapServers, database).WaitAsync(StartFailsafe);

        Assert.Equal(EventsSchema.CurrentVersion, await SchemaVersion.ReadAsync(dataSource, CancellationToken.None));
        Assert.Equal(before, await PreviousSchema.DigestAsync(database));
        Assert.Equal(["user_agent text YES", "client_address inet YES"], (await PreviousSchema.ColumnsAsync(database))[^2..]);
        await using (var old = dataSource.CreateCommand("SELECT count(*) FROM events WHERE user_agent IS NULL AND client_address IS NULL"))
        {
            Assert.Equal(20_000L, await old.ExecuteScalarAsync());
        }

        var sent = Enumerable.Range(0, 300).Select(i => ClickEvents.Stamped(i)).ToList();
        await PipelineProbe.ProduceAsync(broker.BootstrapServers, sent);
        await using var db = StoreFactory.Create(database);
        await PipelineProbe.WaitForRowsAsync(db, 20_300, TimeSpan.FromMinutes(1));
        await using var context = db.ReadContext();
        var reader = new Clickstream.Api.ReadModel.StoredEventReader(context);
        foreach (var e in sent)
        {
            var stored = await reader.FindAsync(e.EventId);
            Assert.NotNull(stored);
            Assert.Equal(e.UserAgent, stored.UserAgent);
            Assert.Equal(e.ClientAddress is { } network ? ClientAddressJsonConverter.Format(network) : null, stored.ClientAddress);
        }
        Assert.Contains(sent, e => e.UserAgent is not null && e.ClientAddress is not null);
        await host.StopAsync();
    }

    [Theory]
    [InlineData(SchemaVersion.None)]
    [InlineData(SchemaVersion.Unrecorded)]
    public async Task Four_upgrades_at_once_all_succeed_one_of_them_does_the_work_and_every_row_is_kept(int version)
    {
        var database = version == SchemaVersion.None
            ? await TestPostgres.CreateEmptyDatabaseAsync()
            : await PreviousSchema.CreateDatabaseAsync(version, rows: 5_000);
        var before = version == SchemaVersion.None ? default : await PreviousSchema.DigestAsync(database);
        // A data source each, as separate workers have: four connections racing for the lock.
        var dataSources = Enumerable.Range(0, 4).Select(_ => NpgsqlDataSource.Create(database)).ToList();
        try
        {
            var outcomes = await Task.WhenAll(dataSources.Select(d => Task.Run(() => EventsSchema.UpgradeAsync(d))));

            Assert.Equal([(version, EventsSchema.CurrentVersion)], outcomes.Where(o => o.Before != o.After));
            Assert.Equal(3, outcomes.Count(o => o == (EventsSchema.CurrentVersion, EventsSchema.CurrentVersion)));
            Assert.Equal(EventsSchema.CurrentVersion, await SchemaVersion.ReadAsync(dataSources[0], CancellationToken.None));
            if (version != SchemaVersion.None)
            {
                Assert.Equal(before, await PreviousSchema.DigestAsync(database));
            }
        }
        finally
        {
            foreach (var d in dataSources)
            {
                await d.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_worker_whose_user_may_not_run_DDL_starts_against_an_up_to_date_database_which_sees_no_DDL_and_stores_its_events()
    {
        var database = await TestPostgres.CreateDatabaseAsync();
        var role = $"worker_{Guid.NewGuid():N}"[..20];
        var password = Guid.NewGuid().ToString("N");
        await using (var owner = NpgsqlDataSource.Create(database))
        {
            // What the worker's user needs to store events, nothing more (init.sql lets everyone read the schema version).
            // From here on, every DDL command that starts in this database is written down, whoever runs it.
            await using var setUp = owner.CreateCommand($"""
                CREATE ROLE {role} LOGIN PASSWORD '{password}';
                GRANT SELECT, INSERT ON events TO {role};
                CREATE TABLE ddl_seen (tag text, by_user text);
                CREATE FUNCTION note_ddl() RETURNS event_trigger LANGUAGE plpgsql SECURITY DEFINER AS
                    $$ BEGIN INSERT INTO ddl_seen VALUES (tg_tag, session_user); END $$;
                CREATE EVENT TRIGGER note_ddl ON ddl_command_start EXECUTE FUNCTION note_ddl();
                """);
            await setUp.ExecuteNonQueryAsync();
        }
        var asWorker = new NpgsqlConnectionStringBuilder(database) { Username = role, Password = password }.ConnectionString;
        try
        {
            await using var broker = EmbeddedKafkaBroker.Start(new() { Topics = { [Topics.RawEvents] = PipelineProbe.Partitions, [Topics.RawEventsDeadLetter] = 1 } });
            using var host = await ConsumersHost.StartAsync(broker.BootstrapServers, asWorker).WaitAsync(StartFailsafe);

            await using var db = StoreFactory.Create(database);
            await using (var seen = db.DataSource.CreateCommand("SELECT count(*) FROM ddl_seen"))
            {
                Assert.Equal(0L, await seen.ExecuteScalarAsync());
            }
            var sent = ClickEvents.Many(100);
            await PipelineProbe.ProduceAsync(broker.BootstrapServers, sent);
            await PipelineProbe.WaitForRowsAsync(db, sent.Count, TimeSpan.FromMinutes(1));
            Assert.Equal(sent.Select(e => e.EventId).Order(), (await db.StoredIdsAsync()).Order());
            await host.StopAsync();
        }
        finally
        {
            // Roles belong to the server, which may be one the run was given and outlives it.
            NpgsqlConnection.ClearAllPools();
            await using var owner = NpgsqlDataSource.Create(database);
            await using var drop = owner.CreateCommand($"DROP EVENT TRIGGER note_ddl; DROP OWNED BY {role}; DROP ROLE {role}");
            await drop.ExecuteNonQueryAsync();
        }
    }

    [Fact]
    public async Task A_version_1_database_with_ApplySchemaAtStart_off_stops_the_worker_start_saying_what_to_do_and_is_left_as_it_was()
    {
        var database = await PreviousSchema.CreateDatabaseAsync(version: 1, rows: 10);

        var failure = await Assert.ThrowsAsync<SchemaBehindException>(() =>
            ConsumersHost.StartAsync("127.0.0.1:9", database, new Dictionary<string, string?> { ["EventStore:ApplySchemaAtStart"] = "false" })
                .WaitAsync(StartFailsafe));

        Assert.Contains($"schema version 1 and this worker needs version {EventsSchema.CurrentVersion}", failure.Message, StringComparison.Ordinal);
        Assert.Contains("EventStore:ApplySchemaAtStart", failure.Message, StringComparison.Ordinal);
        await using var dataSource = NpgsqlDataSource.Create(database);
        Assert.Equal(1, await SchemaVersion.ReadAsync(dataSource, CancellationToken.None));
    }

    [Fact]
    public async Task Applying_init_sql_again_to_an_up_to_date_database_changes_nothing()
    {
        var database = await TestPostgres.CreateDatabaseAsync();
        await using var db = StoreFactory.Create(database);
        await db.Store.WriteAsync(ClickEvents.Many(50), CancellationToken.None);
        var before = await CatalogAsync(db.DataSource);

        await EventsSchema.ApplyAsync(db.DataSource);
        var upgrade = await EventsSchema.UpgradeAsync(db.DataSource);

        Assert.Equal((EventsSchema.CurrentVersion, EventsSchema.CurrentVersion), upgrade);
        Assert.Equal(before, await CatalogAsync(db.DataSource));
    }

    [Fact]
    public async Task A_new_database_and_an_upgraded_version_1_database_have_the_same_columns_in_the_same_order()
    {
        var fresh = await TestPostgres.CreateDatabaseAsync();
        var upgraded = await PreviousSchema.CreateDatabaseAsync(version: 1, rows: 1);
        await EventsSchema.ApplyAsync(upgraded);

        Assert.Equal(await PreviousSchema.ColumnsAsync(fresh), await PreviousSchema.ColumnsAsync(upgraded));
        await using var dataSource = NpgsqlDataSource.Create(fresh);
        Assert.Equal(EventsSchema.CurrentVersion, await SchemaVersion.ReadAsync(dataSource, CancellationToken.None));
    }

    // Columns, indexes, the recorded versions with their times, and the rows: what a second application could change.
    private static async Task<string> CatalogAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand($"""
            SELECT (SELECT string_agg(column_name || ' ' || data_type, ', ' ORDER BY ordinal_position) FROM information_schema.columns
                    WHERE table_schema = current_schema() AND table_name IN ('events', 'clickstream_schema'))
                || ' | ' || (SELECT string_agg(indexdef, ', ' ORDER BY indexname) FROM pg_indexes WHERE schemaname = current_schema())
                || ' | ' || (SELECT string_agg(version || ' ' || applied_at, ', ' ORDER BY version) FROM clickstream_schema)
                || ' | ' || (SELECT count(*) || ' ' || md5(string_agg(e::text, ',' ORDER BY event_id)) FROM events e)
            """);
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
