using System.Reflection;
using MassTransit;

namespace Clickstream.Kafka.Configuration;

internal sealed class TopicEndpointConfigurator<TMessage>(string topic, string groupId) : ITopicEndpointConfigurator<TMessage>
    where TMessage : class
{
    private static readonly MethodInfo ConfigureBatchConsumer = typeof(BatchConsumerConfiguration).GetMethod(nameof(BatchConsumerConfiguration.Configure))!;
    private readonly List<Action<IReceiveEndpointConfigurator>> _configure = [];

    public TopicEndpointSettings Settings { get; } = new(topic, groupId);

    public List<Type> ConsumerTypes { get; } = [];

    /// <summary>Set when the endpoint runs a batch consumer: the endpoint then collects the batches itself.</summary>
    public BatchConsumerBinding? BatchConsumer { get; private set; }

    public IReadOnlyList<Action<IReceiveEndpointConfigurator>> EndpointConfiguration => _configure;

    public void ConfigureConsumer<TConsumer>(IRegistrationContext context, Action<IConsumerConfigurator<TConsumer>>? configure = null)
        where TConsumer : class, IConsumer
    {
        ConsumerTypes.Add(typeof(TConsumer));
        if (!typeof(TConsumer).IsAssignableTo(typeof(IConsumer<Batch<TMessage>>)))
        {
            _configure.Add(e => e.ConfigureConsumer(context, configure));
            return;
        }

        var binding = BatchConsumer = new BatchConsumerBinding(typeof(TConsumer));
        var configureBatchConsumer = ConfigureBatchConsumer.MakeGenericMethod(typeof(TConsumer), typeof(TMessage));
        _configure.Add(e => binding.Options =
            (BatchOptions)configureBatchConsumer.Invoke(null, BindingFlags.DoNotWrapExceptions, null, [e, context, configure], null)!);
    }

    public void Endpoint(Action<IReceiveEndpointConfigurator> configure) => _configure.Add(configure);
}

/// <summary>The batch consumer of a topic endpoint, and its batch options once the endpoint is configured.</summary>
internal sealed class BatchConsumerBinding(Type consumerType)
{
    public Type ConsumerType { get; } = consumerType;

    public BatchOptions? Options { get; set; }
}
