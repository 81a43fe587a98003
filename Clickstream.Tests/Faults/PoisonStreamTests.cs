using System.Text;
using System.Text.Json;
using Clickstream.Contracts;
using Clickstream.Kafka.Consuming;
using Clickstream.Tests.Consumers;
using Clickstream.Tests.Infrastructure;
using Clickstream.Tests.Kafka;
using Clickstream.Tests.Support;
using Confluent.Kafka;

namespace Clickstream.Tests.Faults;

[Collection(FaultsCollection.Name)]
public sealed class PoisonStreamTests
{
    private const long User = 42;

    [Fact]
    public async Task Poison_of_every_kind_on_one_key_is_dead_lettered_with_a_reason_and_every_good_event_after_it_is_stored()
    {
        await using var pipeline = await FaultedPipeline.StartAsync();
        var worker = await pipeline.StartReadyWorkerAsync();

        // One key, so one partition, in this order: each poison message is followed by a good event, then more good ones.
        var index = 0;
        ClickEvent Good() => ClickEvents.Create(index++, User);
        var poison = new (string Kind, string Value)[]
        {
            ("not JSON", "this is not JSON {"),
            ("wrong field types", $$"""{"event_id":12,"user_id":"abc","event_type":["click"],"page":7,"event_time":"{{ClickEvents.Epoch:O}}"}"""),
            ("an unstorable number (1e200000)", Json(Good() with { Properties = JsonDocument.Parse("""{"n":1e200000}""").RootElement })),
            ("a NUL in a text field", Json(Good() with { Page = "/nul\0page" })),
            ("a NUL in properties", Json(Good() with { Properties = JsonSerializer.SerializeToElement(new { note = "nul\0note" }) })),
            ("a 4 KB random event_type", Json(Good() with { EventType = RandomText(4_000) })),
            ("a 1 MB value", $$"""{"event_id":"{{Guid.NewGuid()}}","padding":"{{RandomText(1024 * 1024)}}"}"""),
        };
        var messages = new List<(string? Poison, Message<string, string> Message)>();
        var good = new List<Guid>();
        foreach (var (kind, value) in poison)
        {
            messages.Add((kind, new() { Key = User.ToString(), Value = value }));
            var after = Good();
            good.Add(after.EventId);
            messages.Add((null, new() { Key = User.ToString(), Value = Json(after) }));
        }
        foreach (var after in Enumerable.Range(0, 20).Select(_ => Good()))
        {
            good.Add(after.EventId);
            messages.Add((null, new() { Key = User.ToString(), Value = Json(after) }));
        }

        // The 1 MB message is above a producer's default limit; the broker takes it.
        using var producer = KafkaTestClients.Producer(pipeline.Broker.BootstrapServers, c => c.MessageMaxBytes = 4 * 1024 * 1024);
        var reports = await KafkaTestClients.ProduceAllAsync(producer, Topics.RawEvents, messages.Select(m => m.Message));
        var offsets = reports.ToDictionary(r => r.Message.Value, r => r.TopicPartitionOffset); // every value is distinct
        var poisonAt = messages.Where(m => m.Poison is not null).ToDictionary(m => m.Poison!, m => offsets[m.Message.Value]);
        Assert.Single(poisonAt.Values.Select(o => o.Partition).Distinct());

        var allGoodStored = await Eventually.TrueAsync(async () =>
            await StoredRows.CountStoredAsync(pipeline.Postgres.ConnectionString, good) == good.Count, TimeSpan.FromMinutes(1));
        var storedGood = await StoredRows.CountStoredAsync(pipeline.Postgres.ConnectionString, good);
        // Read what reached the dead-letter topic either way, to say which poison stopped the partition.
        var deadLetters = KafkaTestClients.ReadAll(pipeline.Broker.BootstrapServers, Topics.RawEventsDeadLetter, poison.Length,
            TimeSpan.FromSeconds(allGoodStored ? 30 : 10));
        // A message dead-lettered just before a rebalance or a crash may be there twice: at least once is the promise.
        var reasons = deadLetters
            .GroupBy(d => (KafkaTestClients.Header(d, DeadLetterHeaders.SourcePartition), KafkaTestClients.Header(d, DeadLetterHeaders.SourceOffset)))
            .ToDictionary(g => g.Key, g => KafkaTestClients.Header(g.First(), DeadLetterHeaders.Reason));
        string? ReasonFor(TopicPartitionOffset at) =>
            reasons.GetValueOrDefault((at.Partition.Value.ToString(), at.Offset.Value.ToString()));
        var report = string.Join("\n", poisonAt.Select(p => $"  {p.Key} (offset {p.Value.Offset.Value}): "
            + (ReasonFor(p.Value) is { } reason ? $"dead-lettered, reason \"{Shorten(reason)}\"" : "NOT on the dead-letter topic with a reason")));
        var deadLettered = poisonAt.Values.Count(at => !string.IsNullOrWhiteSpace(ReasonFor(at)));
        Assert.True(allGoodStored && deadLettered == poison.Length,
            $"{storedGood} of {good.Count} good events stored; {deadLettered} of {poison.Length} poison messages dead-lettered with a reason:\n"
            + $"{report}\n{pipeline.Diagnostics()}");
        Assert.Equal(poison.Length, reasons.Count); // nothing else was dead-lettered

        var acknowledged = good.Concat(await pipeline.AssertNewEventsAreStoredAsync()).ToList();
        await StoredRows.AssertEachStoredExactlyOnceAsync(pipeline.Postgres.ConnectionString, acknowledged, pipeline.Diagnostics);
        await PipelineProbe.WaitUntilCommittedToTheEndAsync(pipeline.Broker.BootstrapServers);
        await worker.StopCleanlyAsync();
    }

    private static string Json(ClickEvent e) => JsonSerializer.Serialize(e);

    private static string RandomText(int length)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        var text = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            text.Append(alphabet[Random.Shared.Next(alphabet.Length)]);
        }
        return text.ToString();
    }

    private static string? Shorten(string? text) => text is { Length: > 160 } ? text[..160] + "…" : text;
}
