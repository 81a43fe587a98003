using Clickstream.Tests.Infrastructure;
using System.Text.Json;
using Clickstream.Contracts;
using Clickstream.Tests.Kafka;
using Confluent.Kafka;

namespace Clickstream.Tests.Consumers;

/// <summary>Produces raw JSON events as any producer would, and watches what the worker did with them.</summary>
internal static class PipelineProbe
{
    public const int Partitions = 3;

    /// <summary>Produces the events keyed by user id; returns where each landed (partition, offset).</summary>
    public static async Task<Dictionary<Guid, TopicPartitionOffset>> ProduceAsync(string bootstrapServers, IEnumerable<ClickEvent> events)
    {
        using var producer = Producer(bootstrapServers);
        return await ProduceAsync(producer, events);
    }

    // lz4 keeps the embedded broker's per-partition memory (about 5 MB) well ahead of 100,000 events.
    public static IProducer<string, string> Producer(string bootstrapServers) =>
        KafkaTestClients.Producer(bootstrapServers, c => c.CompressionType = CompressionType.Lz4);

    public static async Task<Dictionary<Guid, TopicPartitionOffset>> ProduceAsync(IProducer<string, string> producer, IEnumerable<ClickEvent> events)
    {
        var reports = await KafkaTestClients.ProduceAllAsync(producer, Topics.RawEvents,
            events.Select(e => new Message<string, string> { Key = e.UserId.ToString(), Value = JsonSerializer.Serialize(e) }));
        return reports.ToDictionary(r => JsonSerializer.Deserialize<ClickEvent>(r.Message.Value)!.EventId, r => r.TopicPartitionOffset);
    }

    /// <summary>The group's committed offsets; a partition without a commit counts as 0 (nothing consumed from it).</summary>
    public static IReadOnlyDictionary<int, long> Committed(string bootstrapServers) =>
        KafkaTestClients.CommittedOffsets(bootstrapServers, ConsumersHost.Group, Topics.RawEvents, Partitions)
            .ToDictionary(c => c.Key, c => Math.Max(c.Value, 0));

    public static IReadOnlyDictionary<int, long> End(string bootstrapServers) =>
        KafkaTestClients.EndOffsets(bootstrapServers, Topics.RawEvents, Partitions);

    public static async Task WaitUntilCommittedToTheEndAsync(string bootstrapServers)
    {
        var end = End(bootstrapServers);
        await Eventually.HoldsAsync(() => Committed(bootstrapServers).OrderBy(c => c.Key).SequenceEqual(end.OrderBy(e => e.Key)),
            () => $"Committed offsets {Format(Committed(bootstrapServers))} did not reach the end offsets {Format(end)}.");
    }

    public static async Task WaitForRowsAsync(StoreFactory db, long count, TimeSpan failsafe)
    {
        long rows = 0;
        await Eventually.HoldsAsync(async () => (rows = await db.CountRowsAsync()) >= count,
            () => $"Only {rows} of {count} rows were stored within the failsafe bound.", failsafe);
    }

    public static string Format(IReadOnlyDictionary<int, long> offsets) =>
        string.Join(", ", offsets.OrderBy(o => o.Key).Select(o => $"{o.Key}:{o.Value}"));
}
