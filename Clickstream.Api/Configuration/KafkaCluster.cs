using Clickstream.Consumers.Configuration;
using Confluent.Kafka;

namespace Clickstream.Api.Configuration;

/// <summary>The Kafka cluster the API publishes to, from the "Kafka" section (or the original service's KAFKA_* names).</summary>
internal static class KafkaCluster
{
    public static IServiceCollection AddKafkaClusterOptions(this IServiceCollection services)
    {
        // Validated at start, after every post-configure step: a later standalone mode can fill BootstrapServers in
        // from an embedded broker by registering an IPostConfigureOptions<KafkaOptions>, and nothing else changes.
        services.AddOptions<KafkaOptions>()
            .BindConfiguration(KafkaOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => !string.IsNullOrWhiteSpace(o.BootstrapServers),
                "Kafka:BootstrapServers is not set: the API publishes every event to Kafka. Set Kafka__BootstrapServers "
                + "(or KAFKA_BOOTSTRAP_SERVERS) to host:port[,host:port...].")
            .ValidateOnStart();
        return services;
    }

    /// <summary>The client configuration for the API's producer and its readiness probe.</summary>
    public static ClientConfig ToClusterConfig(this KafkaOptions options) =>
        options.ToClientConfig(options.BootstrapServers
            ?? throw new InvalidOperationException("Kafka:BootstrapServers is not set."));
}
