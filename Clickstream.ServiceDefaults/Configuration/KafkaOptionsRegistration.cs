using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;

namespace Clickstream.ServiceDefaults.Configuration;

public static class KafkaOptionsRegistration
{
    /// <summary>
    /// <see cref="KafkaOptions"/> from the "Kafka" section, validated at start: a missing cluster fails the start with
    /// <paramref name="missingServers"/>, which says what the service needs it for and how to set it.
    /// </summary>
    public static IServiceCollection AddKafkaOptions(this IServiceCollection services, string missingServers)
    {
        services.AddOptions<KafkaOptions>()
            .BindConfiguration(KafkaOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => !string.IsNullOrWhiteSpace(o.BootstrapServers), missingServers)
            .ValidateOnStart();
        return services;
    }

    /// <summary>The client configuration for the configured cluster (after validation, so the servers are set).</summary>
    public static ClientConfig ToClusterConfig(this KafkaOptions options) =>
        options.ToClientConfig(options.BootstrapServers ?? throw new InvalidOperationException("Kafka:BootstrapServers is not set."));
}
