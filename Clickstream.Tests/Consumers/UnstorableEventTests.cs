using System.Security.Cryptography;
using System.Text.Json;
using Clickstream.Contracts;
using Clickstream.Kafka.Consuming;
using Clickstream.Kafka.Embedded;
using Clickstream.Tests.Infrastructure;
using Clickstream.Tests.Kafka;
using Clickstream.Tests.Support;
using Confluent.Kafka;

namespace Clickstream.Tests.Consumers;

/// <summary>Events any producer can send and PostgreSQL can never store: each is dead-lettered and its partition moves on.</summary>
public sealed class UnstorableEventTests
{
    [Fact]
    public async Task An_event_type_too_large_for_its_index_from_a_plain_producer_is_dead_lettered_with_its_SQLSTATE_and_its_partition_moves_on()
    {
        await using var broker = EmbeddedKafkaBroker.Start(new() { Topics = { [Topics.RawEvents] = PipelineProbe.Partitions, [Topics.RawEventsDeadLetter] = 1 } });
        await using var db = StoreFactory.Create(await TestPostgres.CreateDatabaseAsync());
        using var host = await ConsumersHost.StartAsync(broker.BootstrapServers, db.DataSource.ConnectionString);

        var good = ClickEvents.Many(60, usersCount: 1);
        var poison = new (string Value, string SqlState)[]
        {
            // Valid JSON and a valid ClickEvent; the row is over the btree maximum of events_event_type_event_time_idx.
            (Json(ClickEvents.Create(1000, userId: 1) with { EventType = RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz0123456789", 4_000) }), "54000"),
            // A number jsonb cannot hold: numeric keeps at most 131072 digits before the decimal point.
            ($$$"""{"event_id":"{{{Guid.NewGuid()}}}","user_id":1,"event_type":"click","page":"/","event_time":"{{{ClickEvents.Epoch:O}}}","properties":{"n":1e200000}}""", "22003"),
        };
        // One key, so one partition: good events before, between and after the poison.
        var values = good.Take(20).Select(Json).Append(poison[0].Value)
            .Concat(good.Skip(20).Take(20).Select(Json)).Append(poison[1].Value)
            .Concat(good.Skip(40).Select(Json));
        using (var producer = KafkaTestClients.Producer(broker.BootstrapServers))
        {
            await KafkaTestClients.ProduceAllAsync(producer, Topics.RawEvents, values.Select(v => new Message<string, string> { Key = "1", Value = v }));
        }

        var dead = KafkaTestClients.ReadAll(broker.BootstrapServers, Topics.RawEventsDeadLetter, poison.Length);
        Assert.Equal(poison.Select(p => p.Value).Order(), dead.Select(d => d.Message.Value).Order());
        foreach (var (value, sqlState) in poison)
        {
            var reason = KafkaTestClients.Header(dead.Single(d => d.Message.Value == value), DeadLetterHeaders.Reason);
            Assert.StartsWith($"Rejected by the database: {sqlState}: ", reason);
        }
        await PipelineProbe.WaitForRowsAsync(db, good.Count, TimeSpan.FromSeconds(60));
        await PipelineProbe.WaitUntilCommittedToTheEndAsync(broker.BootstrapServers);
        Assert.Equal(good.Select(e => e.EventId).Order(), (await db.StoredIdsAsync()).Order());
        await host.StopAsync();
    }

    [Fact]
    public async Task A_client_address_from_a_plain_producer_that_inet_cannot_hold_is_dead_lettered_naming_the_field_and_its_partition_moves_on()
    {
        await using var broker = EmbeddedKafkaBroker.Start(new() { Topics = { [Topics.RawEvents] = PipelineProbe.Partitions, [Topics.RawEventsDeadLetter] = 1 } });
        await using var db = StoreFactory.Create(await TestPostgres.CreateDatabaseAsync());
        using var host = await ConsumersHost.StartAsync(broker.BootstrapServers, db.DataSource.ConnectionString);

        var good = ClickEvents.Many(40, usersCount: 1);
        string WithAddress(string address) =>
            $$"""{"event_id":"{{Guid.NewGuid()}}","user_id":1,"event_type":"click","page":"/","event_time":"{{ClickEvents.Epoch:O}}","user_agent":"curl/8.5","client_address":"{{address}}"}""";
        string[] poison = [WithAddress("not-an-address"), WithAddress("203.0.113.0/33")];
        // Another producer's own forms that inet holds: a whole address, a network with host bits (cleared), IPv6.
        string[] accepted = [WithAddress("198.51.100.23"), WithAddress("198.51.100.23/24"), WithAddress("2001:db8:1::/48")];
        var values = good.Take(20).Select(Json).Concat(poison).Concat(accepted).Concat(good.Skip(20).Select(Json));
        using (var producer = KafkaTestClients.Producer(broker.BootstrapServers))
        {
            await KafkaTestClients.ProduceAllAsync(producer, Topics.RawEvents, values.Select(v => new Message<string, string> { Key = "1", Value = v }));
        }

        var dead = KafkaTestClients.ReadAll(broker.BootstrapServers, Topics.RawEventsDeadLetter, poison.Length);
        Assert.Equal(poison.Order(), dead.Select(d => d.Message.Value).Order());
        Assert.All(dead, d => Assert.Contains("client_address must be an IP address", KafkaTestClients.Header(d, DeadLetterHeaders.Reason)));
        await PipelineProbe.WaitForRowsAsync(db, good.Count + accepted.Length, TimeSpan.FromSeconds(60));
        await PipelineProbe.WaitUntilCommittedToTheEndAsync(broker.BootstrapServers);
        await using var addresses = db.DataSource.CreateCommand(
            "SELECT client_address::text FROM events WHERE user_agent = 'curl/8.5' ORDER BY client_address");
        await using var reader = await addresses.ExecuteReaderAsync();
        var stored = new List<string>();
        while (await reader.ReadAsync())
        {
            stored.Add(reader.GetString(0));
        }
        Assert.Equal(["198.51.100.0/24", "198.51.100.23/32", "2001:db8:1::/48"], stored);
        await host.StopAsync();
    }

    private static string Json(ClickEvent clickEvent) => JsonSerializer.Serialize(clickEvent);
}
