using System.Text.Json;
using Clickstream.Contracts;
using Clickstream.Kafka.Serialization;
using Clickstream.Tests.Kafka;
using Confluent.Kafka;

namespace Clickstream.Tests.Api;

/// <summary>What a plain Confluent consumer reads back from raw_events.</summary>
internal static class PublishedEvents
{
    public static List<(ClickEvent Event, ConsumeResult<string?, string?> Kafka)> ReadAll(ApiHost host)
    {
        var count = (int)host.EventsOnTopic();
        return KafkaTestClients.ReadAll(host.Broker.BootstrapServers, Topics.RawEvents, count, TimeSpan.FromSeconds(30))
            .Select(r => (JsonSerializer.Deserialize<ClickEvent>(r.Message.Value!, WireJson.Options)!, r))
            .ToList();
    }
}
