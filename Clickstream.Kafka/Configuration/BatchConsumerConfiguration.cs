using MassTransit;
using MassTransit.Configuration;
using MassTransit.DependencyInjection;
using MassTransit.DependencyInjection.Registration;
using MassTransit.Middleware;

namespace Clickstream.Kafka.Configuration;

/// <summary>
/// Connects a batch consumer (<c>IConsumer&lt;Batch&lt;T&gt;&gt;</c>) to a topic endpoint so that it is handed whole
/// batches, which the topic endpoint collects itself. MassTransit, left alone, would put a batch collector in front of
/// the consumer and send every single message through the receive pipeline to it; here the endpoint's receive
/// pipeline runs once per batch. The consumer keeps what any MassTransit consumer has: its definition, its
/// middleware, a DI scope per batch, and the test harness's observation.
/// </summary>
internal static class BatchConsumerConfiguration
{
    /// <summary>
    /// Configures <typeparamref name="TConsumer"/> on <paramref name="endpoint"/> and returns its batch options
    /// (filled in by its consumer definition and <paramref name="configure"/>).
    /// </summary>
    public static BatchOptions Configure<TConsumer, TMessage>(IReceiveEndpointConfigurator endpoint, IRegistrationContext context,
        Action<IConsumerConfigurator<TConsumer>>? configure)
        where TConsumer : class, IConsumer<Batch<TMessage>>
        where TMessage : class
    {
        var registration = (context as IRiderRegistrationContext)?.GetRegistrations<IConsumerRegistration>().FirstOrDefault(r => r.Type == typeof(TConsumer))
                           ?? throw new ConfigurationException(
                               $"{typeof(TConsumer).Name} is not registered on the Kafka rider: add rider.AddConsumer<{typeof(TConsumer).Name}>().");

        IConsumerFactory<TConsumer> factory = new ScopeConsumerFactory<TConsumer>(new ConsumeScopeProvider(context));
        if (context.GetService(typeof(IConsumerFactoryDecoratorRegistration<TConsumer>)) is IConsumerFactoryDecoratorRegistration<TConsumer> harness)
        {
            factory = harness.DecorateConsumerFactory(factory);
        }

        // The consumer specification is itself a consumer configurator: the definition and the caller configure it directly.
        var consumer = ConsumerConnectorCache<TConsumer>.Connector.CreateConsumerSpecification<TConsumer>();
        consumer.ConnectConsumerConfigurationObserver(endpoint);
        ((IConsumerDefinition<TConsumer>)registration.GetDefinition(context)).Configure(endpoint, consumer, context);
        configure?.Invoke(consumer);

        var options = consumer.Options<BatchOptions>();
        if (options.GroupKeyProvider is not null)
        {
            throw new ConfigurationException(
                $"{typeof(TConsumer).Name}: batches grouped by key (BatchOptions.GroupBy) are not supported on a Kafka topic endpoint.");
        }
        endpoint.AddEndpointSpecification(new BatchPipe<TConsumer, TMessage>(factory, consumer));
        return options;
    }

    /// <summary>Connects the endpoint's pipe for <c>Batch&lt;TMessage&gt;</c> messages to the consumer.</summary>
    private sealed class BatchPipe<TConsumer, TMessage>(IConsumerFactory<TConsumer> factory, IConsumerSpecification<TConsumer> consumer)
        : IReceiveEndpointSpecification
        where TConsumer : class, IConsumer<Batch<TMessage>>
        where TMessage : class
    {
        public IEnumerable<ValidationResult> Validate() => factory.Validate().Concat(consumer.Validate());

        public void Configure(IReceiveEndpointBuilder builder)
        {
            var batch = consumer.GetMessageSpecification<Batch<TMessage>>();
            // Inner to outer: the consumer's middleware around the call of Consume, then a consumer instance per
            // batch, then the consumer-wide filters (its concurrency limit, say).
            var callConsume = batch.Build(new MethodConsumerMessageFilter<TConsumer, Batch<TMessage>>());
            var pipe = batch.BuildMessagePipe(pipeline =>
            {
                consumer.ConfigureMessagePipe(pipeline);
                pipeline.UseFilter(new ConsumerMessageFilter<TConsumer, Batch<TMessage>>(factory, callConsume));
            });
            builder.ConnectConsumePipe(pipe);
        }
    }
}
