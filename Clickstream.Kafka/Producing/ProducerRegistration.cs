using Clickstream.Kafka.Telemetry;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Clickstream.Kafka.Producing;

/// <summary>A producer added with <c>rider.AddProducer</c>, built when the rider is created.</summary>
internal interface IProducerRegistration
{
    Type MessageType { get; }

    IOwnedProducer Create(ClientConfig host, ILoggerFactory loggers, TimeProvider clock, ProducerMetrics metrics);
}

internal sealed class ProducerRegistration<TMessage>(string topic, Action<TopicProducerSettings<TMessage>>? configure) : IProducerRegistration
    where TMessage : class
{
    public Type MessageType => typeof(TMessage);

    public IOwnedProducer Create(ClientConfig host, ILoggerFactory loggers, TimeProvider clock, ProducerMetrics metrics)
    {
        var settings = new TopicProducerSettings<TMessage>(topic);
        configure?.Invoke(settings);
        return new TopicProducer<TMessage>(settings, host, loggers.CreateLogger<TopicProducer<TMessage>>(), clock, metrics);
    }
}
