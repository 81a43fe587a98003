using MassTransit;

namespace Clickstream.Kafka.Configuration;

internal sealed class TopicEndpointConfigurator<TMessage>(string topic, string groupId) : ITopicEndpointConfigurator<TMessage>
    where TMessage : class
{
    private readonly List<Action<IReceiveEndpointConfigurator>> _configure = [];

    public TopicEndpointSettings Settings { get; } = new(topic, groupId);

    public List<Type> ConsumerTypes { get; } = [];

    public IReadOnlyList<Action<IReceiveEndpointConfigurator>> EndpointConfiguration => _configure;

    public void ConfigureConsumer<TConsumer>(IRegistrationContext context, Action<IConsumerConfigurator<TConsumer>>? configure = null)
        where TConsumer : class, IConsumer
    {
        ConsumerTypes.Add(typeof(TConsumer));
        _configure.Add(e => e.ConfigureConsumer(context, configure));
    }

    public void Endpoint(Action<IReceiveEndpointConfigurator> configure) => _configure.Add(configure);
}
