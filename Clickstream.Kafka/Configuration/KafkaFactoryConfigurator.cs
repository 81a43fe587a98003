using Confluent.Kafka;
using MassTransit;

namespace Clickstream.Kafka.Configuration;

internal sealed class KafkaFactoryConfigurator : IKafkaFactoryConfigurator
{
    private readonly List<TopicEndpointDefinition> _endpoints = [];

    public ClientConfig? HostConfig { get; private set; }

    public IDictionary<string, string> ConsumerSettings { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public IReadOnlyList<TopicEndpointDefinition> Endpoints => _endpoints;

    public void Host(ClientConfig config) => HostConfig = config ?? throw new ArgumentNullException(nameof(config));

    public void Host(string bootstrapServers, Action<ClientConfig>? configure = null)
    {
        var config = new ClientConfig { BootstrapServers = bootstrapServers };
        configure?.Invoke(config);
        Host(config);
    }

    public void TopicEndpoint<TMessage>(string topic, string groupId, Action<ITopicEndpointConfigurator<TMessage>> configure)
        where TMessage : class
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        ArgumentException.ThrowIfNullOrWhiteSpace(groupId);
        var configurator = new TopicEndpointConfigurator<TMessage>(topic, groupId);
        foreach (var (name, value) in ConsumerSettings)
        {
            configurator.Settings.ConsumerSettings[name] = value;
        }
        configure(configurator);
        if (configurator.BatchConsumer is { } batch && configurator.ConsumerTypes.Count > 1)
        {
            throw new ConfigurationException($"Kafka topic endpoint {topic}/{groupId}: the batch consumer {batch.ConsumerType.Name} needs an endpoint of its own "
                + $"(it is handed whole batches; the endpoint also has {string.Join(", ", configurator.ConsumerTypes.Where(t => t != batch.ConsumerType).Select(t => t.Name))}).");
        }
        _endpoints.Add(new TopicEndpointDefinition(typeof(TMessage), configurator.Settings, configurator.EndpointConfiguration, configurator.BatchConsumer));
    }

    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(HostConfig?.BootstrapServers))
        {
            yield return "Kafka: no bootstrap servers; call Host(...) in UsingKafka with the cluster's bootstrap servers.";
        }
        foreach (var endpoint in _endpoints)
        {
            foreach (var problem in endpoint.Settings.Validate())
            {
                yield return $"Kafka topic endpoint {endpoint.Settings.Topic}/{endpoint.Settings.GroupId}: {problem}";
            }
        }
        foreach (var duplicate in _endpoints.GroupBy(e => (e.Settings.Topic, e.Settings.GroupId)).Where(g => g.Count() > 1))
        {
            yield return $"Kafka: topic endpoint {duplicate.Key.Topic}/{duplicate.Key.GroupId} is configured twice.";
        }
    }
}

internal sealed record TopicEndpointDefinition(
    Type MessageType,
    TopicEndpointSettings Settings,
    IReadOnlyList<Action<IReceiveEndpointConfigurator>> EndpointConfiguration,
    BatchConsumerBinding? BatchConsumer);
