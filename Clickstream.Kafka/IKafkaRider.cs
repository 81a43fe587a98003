using Clickstream.Kafka.Producing;
using MassTransit.Transports;

namespace Clickstream.Kafka;

/// <summary>The Kafka rider of a bus: its producers and the state of its topic endpoints.</summary>
public interface IKafkaRider : IRider
{
    /// <summary>The producer registered for <typeparamref name="TMessage"/> with <c>rider.AddProducer</c>.</summary>
    ITopicProducer<TMessage> GetProducer<TMessage>() where TMessage : class;

    /// <summary>Each topic endpoint: whether it runs and which partitions it holds now.</summary>
    IReadOnlyList<TopicEndpointState> GetEndpointStates();

    /// <summary>
    /// Each producer of the rider (topic producers, and the dead-letter producer of each running topic endpoint):
    /// whether a fatal error left it broken (until it is rebuilt), and its last fatal error.
    /// </summary>
    IReadOnlyList<KafkaProducerState> GetProducerStates();

    /// <summary>
    /// Bytes this process produced to <paramref name="topic"/> on the rider's cluster (acknowledged or on their way)
    /// that this process's topic endpoints have not fetched yet, on the partition that holds the most. It is the
    /// consumer lag only where this process is the topic's only producer and consumer (the standalone run with its
    /// embedded broker, which drops data beyond about 5 MiB per partition); elsewhere it counts too little.
    /// </summary>
    long GetUnfetchedBytes(string topic);
}

/// <summary>A topic endpoint as health checks see it.</summary>
/// <param name="InFlight">Messages received and not finished yet: being collected into a batch, consumed, or dead-lettered.</param>
/// <param name="PausedPartitions">Partitions whose fetching is paused for back-pressure (the in-flight limit was reached and stayed so).</param>
/// <param name="StalledPartitions">Partitions with lag whose commits have not moved for <see cref="StallAfter"/>.</param>
/// <param name="StallAfter">The endpoint's <c>TopicEndpointSettings.StallAfter</c>.</param>
public sealed record TopicEndpointState(
    string Name,
    bool IsRunning,
    bool HasJoined,
    IReadOnlyList<int> AssignedPartitions,
    int InFlight,
    IReadOnlyList<int> PausedPartitions,
    IReadOnlyList<StalledPartition> StalledPartitions,
    TimeSpan StallAfter);

/// <summary>A partition with lag and no progress.</summary>
/// <param name="Lag">Messages received or available and not committed.</param>
/// <param name="NoProgressSince">The last commit that moved, or when the lag appeared.</param>
public sealed record StalledPartition(int Partition, long Lag, DateTimeOffset NoProgressSince);
