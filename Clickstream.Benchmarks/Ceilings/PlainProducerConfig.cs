using System.Globalization;
using Confluent.Kafka;

namespace Clickstream.Benchmarks.Ceilings;

/// <summary>The producer settings of every ceiling: what the rider's producer uses, so only the layers above differ.</summary>
public static class PlainProducerConfig
{
    public static ProducerConfig Create(string bootstrapServers, int lingerMs) => new()
    {
        BootstrapServers = bootstrapServers,
        Acks = Acks.All,
        EnableIdempotence = true,
        LingerMs = lingerMs,
        MessageTimeoutMs = 5000,
        ClientId = "clickstream-benchmark-" + lingerMs.ToString(CultureInfo.InvariantCulture),
    };
}
