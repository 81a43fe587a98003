using Confluent.Kafka;

namespace Clickstream.Kafka.Configuration;

/// <summary>Configures the Kafka rider: the cluster, and the topic endpoints that consume from it.</summary>
public interface IKafkaFactoryConfigurator
{
    /// <summary>
    /// The cluster to use. Any librdkafka setting in <paramref name="config"/> (SASL, SSL, timeouts) is passed to
    /// every producer and consumer of the rider.
    /// </summary>
    void Host(ClientConfig config);

    /// <summary>The cluster to use, by its bootstrap servers, with optional further settings.</summary>
    void Host(string bootstrapServers, Action<ClientConfig>? configure = null);

    /// <summary>librdkafka consumer settings for every topic endpoint of the rider (an endpoint's own settings win).</summary>
    IDictionary<string, string> ConsumerSettings { get; }

    /// <summary>Consumes <paramref name="topic"/> as <typeparamref name="TMessage"/> in consumer group <paramref name="groupId"/>.</summary>
    void TopicEndpoint<TMessage>(string topic, string groupId, Action<ITopicEndpointConfigurator<TMessage>> configure)
        where TMessage : class;
}
