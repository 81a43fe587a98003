using Clickstream.ServiceDefaults.Health;
using Clickstream.Kafka;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace Clickstream.Api.Health;

/// <summary>
/// The API's readiness checks (mapped at <c>/health/ready</c> by the service defaults): the producer's cluster is
/// reachable and the producer is not broken by a fatal error, so this instance can accept events.
/// </summary>
public static class ApiHealthChecks
{
    // The consumers' tag: in a standalone run, readiness covers the rider and the database too.
    private const string ReadyTag = HealthEndpoints.ReadyTag;

    public static IServiceCollection AddClickstreamHealth(this IServiceCollection services)
    {
        services.AddSingleton<ClusterReachability>();
        services.AddHostedService<ClusterProbe>();
        services.AddHealthChecks()
            .AddCheck<KafkaClusterHealthCheck>("kafka", tags: [ReadyTag])
            .AddKafkaProducers("kafka-producers", ReadyTag);
        return services;
    }
}
