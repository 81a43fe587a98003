using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text.Json;
using Clickstream.Contracts;
using Clickstream.Kafka.Embedded;
using Clickstream.Tests.Consumers;
using Clickstream.Tests.Infrastructure;
using Clickstream.Tests.Kafka;
using Clickstream.Tests.Support;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Clickstream.Tests.Telemetry;

/// <summary>The store's instruments (meter <c>Clickstream.Consumers</c>) after known traffic into a real PostgreSQL.</summary>
public sealed class StoreMetricsTests
{
    private const string Meter = "Clickstream.Consumers";

    [Fact]
    public async Task The_worker_counts_rows_inserted_duplicates_and_rows_dead_lettered_by_SQLSTATE_and_measures_every_batch()
    {
        await using var broker = EmbeddedKafkaBroker.Start(new() { Topics = { [Topics.RawEvents] = PipelineProbe.Partitions, [Topics.RawEventsDeadLetter] = 1 } });
        await using var db = StoreFactory.Create(await TestPostgres.CreateDatabaseAsync());
        using var host = await ConsumersHost.StartAsync(broker.BootstrapServers, db.DataSource.ConnectionString);
        var meters = host.Services.GetRequiredService<IMeterFactory>();
        using var batchSize = new Measured<long>(meters, Meter, "clickstream.store.batch.size");
        using var batchDuration = new Measured<double>(meters, Meter, "clickstream.store.batch.duration");
        using var inserted = new Measured<long>(meters, Meter, "clickstream.store.rows.inserted");
        using var duplicates = new Measured<long>(meters, Meter, "clickstream.store.rows.duplicate");
        using var deadLettered = new Measured<long>(meters, Meter, "clickstream.store.rows.dead_lettered");
        using var deadLetters = new Measured<long>(meters, "Clickstream.Kafka", "clickstream.kafka.dead_letters");

        var good = ClickEvents.Many(60, usersCount: 1);
        var poison = new[]
        {
            // Over the btree maximum of events_event_type_event_time_idx: 54000.
            Json(ClickEvents.Create(1000, userId: 1) with { EventType = RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz0123456789", 4_000) }),
            // More digits than jsonb's numeric holds: 22003.
            $$$"""{"event_id":"{{{Guid.NewGuid()}}}","user_id":1,"event_type":"click","page":"/","event_time":"{{{ClickEvents.Epoch:O}}}","properties":{"n":1e200000}}""",
        };
        await ProduceAsync(broker, good.Take(30).Select(Json).Append(poison[0]).Concat(good.Skip(30).Select(Json)).Append(poison[1]));

        await PipelineProbe.WaitForRowsAsync(db, good.Count, TimeSpan.FromSeconds(60));
        await Eventually.HoldsAsync(() => deadLetters.Sum() == 2, () => $"Dead letters counted: {deadLetters.Sum()} of 2.");
        Assert.Equal(good.Count, inserted.Sum());
        Assert.Equal(0, duplicates.Sum());
        Assert.Equal(1, deadLettered.Sum(("db.response.status_code", "54000")));
        Assert.Equal(1, deadLettered.Sum(("db.response.status_code", "22003")));
        Assert.Equal(2, deadLetters.Sum(("reason", "rejected_by_database"), ("messaging.destination.name", Topics.RawEvents)));

        // Delivered again (a redelivery, as after a crash): stored once, counted as duplicates.
        await ProduceAsync(broker, good.Take(10).Select(Json));
        await Eventually.HoldsAsync(() => duplicates.Sum() == 10, () => $"Duplicates counted: {duplicates.Sum()} of 10.");
        Assert.Equal(good.Count, inserted.Sum());
        Assert.Equal(good.Count, await db.CountRowsAsync());
        Assert.Equal(good.Count + poison.Length + 10, batchSize.Sum());
        Assert.Equal(batchSize.Count(), batchDuration.Count(("outcome", "stored")));
        Assert.Equal(0, batchDuration.Count(("outcome", "failed")));
        await host.StopAsync();
    }

    [Fact]
    public async Task Retries_are_counted_by_the_blamed_side_and_a_waiting_batch_shows_as_stalled_until_it_is_stored()
    {
        var database = await TestPostgres.CreateDatabaseAsync();
        await using var admin = new NpgsqlConnection(database);
        await admin.OpenAsync();
        var login = new NpgsqlConnectionStringBuilder(database) { Options = "-c lock_timeout=100" };
        await using var db = StoreFactory.Create(login.ConnectionString);
        using var retries = new Measured<long>(db.Meters, Meter, "clickstream.store.retries");
        using var stalled = new Measured<long>(db.Meters, Meter, "clickstream.store.stalled");
        Assert.Equal(0, stalled.ObservedSum());

        // The server's: a lock held past lock_timeout (55P03).
        await using (var holding = await admin.BeginTransactionAsync())
        {
            await ExecuteAsync(admin, "LOCK TABLE events IN ACCESS EXCLUSIVE MODE");
            var writing = db.Store.WriteAsync(ClickEvents.Many(10), CancellationToken.None);
            await Eventually.HoldsAsync(() => retries.Sum(("error.type", "server")) >= 2 && stalled.ObservedSum() == 1,
                () => $"While locked: {retries.Sum(("error.type", "server"))} server retries, {stalled.ObservedSum()} stalled.");
            await holding.CommitAsync();
            await writing.WaitAsync(Eventually.DefaultFailsafe);
        }
        Assert.Equal(0, stalled.ObservedSum());
        Assert.Equal(0, retries.Sum(("error.type", "setup")));

        // The set-up's: no events table (42P01).
        await ExecuteAsync(admin, "ALTER TABLE events RENAME TO events_away");
        var storing = db.Store.WriteAsync(ClickEvents.Many(10), CancellationToken.None);
        await Eventually.HoldsAsync(() => retries.Sum(("error.type", "setup")) >= 2 && stalled.ObservedSum() == 1,
            () => $"Without the table: {retries.Sum(("error.type", "setup"))} set-up retries, {stalled.ObservedSum()} stalled.");
        await ExecuteAsync(admin, "ALTER TABLE events_away RENAME TO events");
        var outcome = await storing.WaitAsync(Eventually.DefaultFailsafe);

        Assert.Equal(10, outcome.Inserted);
        Assert.Equal(0, stalled.ObservedSum());
        Assert.Equal(20, await db.CountRowsAsync());
    }

    [Fact]
    public async Task A_batch_whose_rows_the_set_up_refuses_one_by_one_counts_as_one_stalled_batch_while_it_waits()
    {
        var database = await TestPostgres.CreateDatabaseAsync();
        await using var admin = new NpgsqlConnection(database);
        await admin.OpenAsync();
        await using var db = StoreFactory.Create(database);
        using var retries = new Measured<long>(db.Meters, Meter, "clickstream.store.retries");
        using var stalled = new Measured<long>(db.Meters, Meter, "clickstream.store.stalled");
        // Every row fails alone (23514, the row's by its class), and so does the probe row: the set-up's after all.
        await ExecuteAsync(admin, "ALTER TABLE events ADD CONSTRAINT no_row_passes CHECK (user_id < 0) NOT VALID");

        var storing = db.Store.WriteAsync(ClickEvents.Many(4), CancellationToken.None);
        await Eventually.HoldsAsync(() => retries.Sum(("error.type", "setup")) >= 3,
            () => $"Set-up retries: {retries.Sum(("error.type", "setup"))}.");
        Assert.Equal(1, stalled.ObservedSum());
        await ExecuteAsync(admin, "ALTER TABLE events DROP CONSTRAINT no_row_passes");
        var outcome = await storing.WaitAsync(Eventually.DefaultFailsafe);

        Assert.Equal(4, outcome.Inserted);
        Assert.Empty(outcome.Rejected);
        Assert.Equal(0, stalled.ObservedSum());
    }

    private static string Json(ClickEvent clickEvent) => JsonSerializer.Serialize(clickEvent);

    private static async Task ProduceAsync(EmbeddedKafkaBroker broker, IEnumerable<string> values)
    {
        using var producer = KafkaTestClients.Producer(broker.BootstrapServers);
        await KafkaTestClients.ProduceAllAsync(producer, Topics.RawEvents, values.Select(v => new Message<string, string> { Key = "1", Value = v }));
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
