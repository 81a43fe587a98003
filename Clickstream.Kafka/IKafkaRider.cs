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
}

/// <summary>A topic endpoint as health checks see it.</summary>
public sealed record TopicEndpointState(string Name, bool IsRunning, bool HasJoined, IReadOnlyList<int> AssignedPartitions);
