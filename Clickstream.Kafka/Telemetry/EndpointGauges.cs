using Clickstream.Kafka.Consuming.Checkpoints;

namespace Clickstream.Kafka.Telemetry;

/// <summary>What a running topic endpoint reports when its gauges are observed: read from its parts, never from the broker.</summary>
internal sealed record EndpointGauges(Func<int> InFlight, Func<int> PausedPartitions, AssignedPartitions Partitions);
