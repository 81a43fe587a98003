using MassTransit;

namespace Clickstream.Kafka.Configuration;

/// <summary>Configures a topic endpoint: which consumers it runs and how it reads Kafka.</summary>
public interface ITopicEndpointConfigurator<TMessage>
    where TMessage : class
{
    /// <summary>Kafka-side settings: limits, checkpoints, dead-letter topic.</summary>
    TopicEndpointSettings Settings { get; }

    /// <summary>
    /// Runs a consumer registered with <c>rider.AddConsumer&lt;T&gt;()</c> on this endpoint, with its consumer
    /// definition (retry, batch options, ...) applied as on any MassTransit endpoint.
    /// </summary>
    void ConfigureConsumer<TConsumer>(IRegistrationContext context, Action<IConsumerConfigurator<TConsumer>>? configure = null)
        where TConsumer : class, IConsumer;

    /// <summary>Adds MassTransit receive-endpoint configuration: middleware (UseMessageRetry, UseKillSwitch, filters), observers.</summary>
    void Endpoint(Action<IReceiveEndpointConfigurator> configure);
}
