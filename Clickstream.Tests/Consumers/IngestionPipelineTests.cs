using System.Text.Json;
using Clickstream.Contracts;
using Clickstream.Kafka.Consuming;
using Clickstream.Kafka.Embedded;
using Clickstream.Tests.Infrastructure;
using Clickstream.Tests.Kafka;
using Clickstream.Tests.Support;
using Confluent.Kafka;

namespace Clickstream.Tests.Consumers;

public sealed class IngestionPipelineTests
{
    [Fact]
    public async Task A_hundred_thousand_produced_events_become_exactly_a_hundred_thousand_rows_and_every_offset_is_committed()
    {
        const int count = 100_000;
        await using var broker = StartBroker();
        await using var db = StoreFactory.Create(await TestPostgres.CreateDatabaseAsync());
        using var host = await ConsumersHost.StartAsync(broker.BootstrapServers, db.DataSource.ConnectionString);
        var events = ClickEvents.Many(count);

        await PipelineProbe.ProduceAsync(broker.BootstrapServers, events);

        await PipelineProbe.WaitForRowsAsync(db, count, TimeSpan.FromSeconds(60));
        await PipelineProbe.WaitUntilCommittedToTheEndAsync(broker.BootstrapServers);
        Assert.Equal(count, await db.CountRowsAsync());
        Assert.Equal(events.Select(e => e.EventId).Order(), (await db.StoredIdsAsync()).Order());
        Assert.Equal(PipelineProbe.End(broker.BootstrapServers), PipelineProbe.Committed(broker.BootstrapServers));
        await host.StopAsync();
    }

    [Fact]
    public async Task Poison_rows_go_to_the_dead_letter_topic_with_reasons_and_their_batch_mates_are_stored()
    {
        await using var broker = StartBroker();
        await using var db = StoreFactory.Create(await TestPostgres.CreateDatabaseAsync());
        using var host = await ConsumersHost.StartAsync(broker.BootstrapServers, db.DataSource.ConnectionString);

        var good = ClickEvents.Many(40, usersCount: 1);
        var poison = new (string Value, string Reason)[]
        {
            // Beyond bigint: not a ClickEvent at all, so the rider dead-letters it before the consumer sees it.
            ($$"""{"event_id":"0192f3a4-5b6c-7d8e-9f01-23456789abcd","user_id":9223372036854775808,"event_type":"click","page":"/","event_time":"{{ClickEvents.Epoch:O}}"}""",
                "not a valid ClickEvent"),
            // Valid ClickEvents whose rows PostgreSQL refuses: NUL in text, and \u0000 in jsonb.
            (JsonSerializer.Serialize(ClickEvents.Create(100, userId: 1) with { Page = "/nul\u0000page" }), "Rejected by the database: 22"),
            (JsonSerializer.Serialize(ClickEvents.Create(101, userId: 1) with { Properties = JsonDocument.Parse("""{"note":"\u0000"}""").RootElement }),
                "Rejected by the database: 22"),
        };
        // One key, so one partition: the poison rows sit between their batch-mates.
        var values = good.Take(10).Select(e => JsonSerializer.Serialize(e)).Append(poison[0].Value)
            .Concat(good.Skip(10).Take(15).Select(e => JsonSerializer.Serialize(e))).Append(poison[1].Value).Append(poison[2].Value)
            .Concat(good.Skip(25).Select(e => JsonSerializer.Serialize(e)));
        using (var producer = KafkaTestClients.Producer(broker.BootstrapServers))
        {
            await KafkaTestClients.ProduceAllAsync(producer, Topics.RawEvents, values.Select(v => new Message<string, string> { Key = "1", Value = v }));
        }

        var dead = KafkaTestClients.ReadAll(broker.BootstrapServers, Topics.RawEventsDeadLetter, poison.Length);
        Assert.Equal(poison.Select(p => p.Value).Order(), dead.Select(d => d.Message.Value).Order());
        foreach (var (value, reason) in poison)
        {
            var letter = dead.Single(d => d.Message.Value == value);
            Assert.Contains(reason, KafkaTestClients.Header(letter, DeadLetterHeaders.Reason));
            Assert.Equal(Topics.RawEvents, KafkaTestClients.Header(letter, DeadLetterHeaders.SourceTopic));
        }
        await PipelineProbe.WaitForRowsAsync(db, good.Count, TimeSpan.FromSeconds(30));
        await PipelineProbe.WaitUntilCommittedToTheEndAsync(broker.BootstrapServers);
        Assert.Equal(good.Select(e => e.EventId).Order(), (await db.StoredIdsAsync()).Order());
        await host.StopAsync();
    }

    private static EmbeddedKafkaBroker StartBroker() =>
        EmbeddedKafkaBroker.Start(new() { Topics = { [Topics.RawEvents] = PipelineProbe.Partitions, [Topics.RawEventsDeadLetter] = 1 } });
}
