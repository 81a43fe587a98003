using Clickstream.Kafka.Configuration;
using Clickstream.Kafka.Producing;
using MassTransit;
using MassTransit.DependencyInjection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Clickstream.Kafka;

/// <summary>Adds Clickstream's Kafka rider to a MassTransit bus: <c>x.AddRider(r => r.UsingKafka(...))</c>.</summary>
public static class KafkaRiderRegistration
{
    /// <summary>Uses Kafka for this rider: the cluster and the topic endpoints are configured in <paramref name="configure"/>.</summary>
    public static void UsingKafka(this IRiderRegistrationConfigurator rider, Action<IRiderRegistrationContext, IKafkaFactoryConfigurator> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        rider.SetRiderFactory(new KafkaRiderFactory(configure));
        rider.TryAddScoped<IKafkaRider, IKafkaRider>((kafka, _) => kafka);
    }

    /// <summary>
    /// Registers <see cref="ITopicProducer{TMessage}"/> producing to <paramref name="topic"/>; <paramref name="configure"/>
    /// sets the key (e.g. the user id) and producer settings.
    /// </summary>
    public static void AddProducer<TMessage>(this IRiderRegistrationConfigurator rider, string topic,
        Action<TopicProducerSettings<TMessage>>? configure = null)
        where TMessage : class
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        rider.AddSingleton<IProducerRegistration>(new ProducerRegistration<TMessage>(topic, configure));
        rider.TryAddScoped<IKafkaRider, ITopicProducer<TMessage>>((kafka, _) => kafka.GetProducer<TMessage>());
    }

    /// <summary>
    /// Adds the rider's readiness to ASP.NET Core health checks: its endpoints run and joined their groups, and no
    /// partition with lag has had its commits not move for its endpoint's StallAfter (<paramref name="name"/>); and its
    /// producers are not broken by a fatal error (<c>kafka-producers</c>, unless <see cref="AddKafkaProducers"/> added
    /// that check already).
    /// </summary>
    public static IHealthChecksBuilder AddKafkaRider(this IHealthChecksBuilder builder, string name = "kafka", params string[] tags) =>
        builder.AddCheck<KafkaRiderHealthCheck>(name, tags: tags).AddKafkaProducers(tags: tags);

    /// <summary>
    /// Adds the readiness of the rider's producers (<see cref="KafkaProducersHealthCheck"/>), once per service collection:
    /// a host that both publishes and consumes reports each producer once.
    /// </summary>
    public static IHealthChecksBuilder AddKafkaProducers(this IHealthChecksBuilder builder, string name = "kafka-producers", params string[] tags)
    {
        if (builder.Services.Any(s => s.ServiceType == typeof(ProducersHealthCheckAdded)))
        {
            return builder;
        }
        builder.Services.AddSingleton<ProducersHealthCheckAdded>();
        return builder.AddCheck<KafkaProducersHealthCheck>(name, tags: tags);
    }

    private sealed class ProducersHealthCheckAdded;
}
